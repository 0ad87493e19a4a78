"""Web chat UI (Gradio): pure callbacks in `callbacks`, the page layout in `ui`.

`callbacks` never imports gradio, so it stays cheap to import and easy to test.
"""
