"""The operations the planner runs over one document's facts, one module each:
lookup, arithmetic (sum/diff/ratio), change (prior/yoy), counting (count/list),
rationale and policy; operands splits a metric naming several things."""
