"""Web chat UI: `python app.py [--host 127.0.0.1] [--port 7860] [--data-dir DIR] [--public]`.

Serves the Gradio page over the index in DIR (default: QA_DATA_DIR or .qa). Safe by
default: with QA_UI_USER and QA_UI_PASSWORD set the login is enforced on every interface
(loopback too, for an app behind a reverse proxy); beyond loopback the app refuses to
start without them unless --public says an open page is intended.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options.

    Args:
        argv: arguments (default sys.argv[1:]).
    """
    ap = argparse.ArgumentParser(description="Budget disclosure Q&A: web chat UI")
    ap.add_argument("--host", default=os.environ.get("QA_UI_HOST", "127.0.0.1"), help="interface to bind")
    ap.add_argument("--port", type=int, default=int(os.environ.get("QA_UI_PORT", "7860")), help="TCP port")
    ap.add_argument("--data-dir", default=None, help="index directory (default QA_DATA_DIR or .qa)")
    ap.add_argument("--public", action="store_true",
                    help="serve beyond loopback without a login (QA_UI_USER/QA_UI_PASSWORD still apply if set)")
    ap.add_argument("--workers", type=int, default=int(os.environ.get("QA_UI_WORKERS", "2")),
                    help="questions answered at once (default 2, QA_UI_WORKERS)")
    ap.add_argument("--no-memo", action="store_true", default=os.environ.get("QA_UI_MEMO", "1") == "0",
                    help="work every answer out again, even a question asked before (QA_UI_MEMO=0)")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Check the configuration, build the page and serve it until interrupted.

    Args:
        argv: command-line arguments.

    Returns:
        0 after serving; 2 when the configuration is refused (nothing is started).
    """
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log = logging.getLogger("app")

    # Checked before gradio or the index is imported, so a refusal is immediate.
    from qa.web.callbacks import login_from_env, startup_refusal

    refusal = startup_refusal(args.host, dict(os.environ), public=args.public)
    if refusal:
        print(f"app.py: {refusal}", file=sys.stderr)
        return 2
    auth = login_from_env(dict(os.environ))
    if auth is None and args.public:
        log.warning("serving on %s without a login (--public)", args.host)

    from qa.config import load_settings
    from qa.web.ui import Backend, build_demo, launch_kwargs

    settings = load_settings(args.data_dir)
    backend = Backend(settings.data_dir, workers=args.workers, memo=not args.no_memo)
    backend.warm()
    demo = build_demo(backend)
    log.info("index: %s; serving on http://%s:%d%s", settings.data_dir, args.host, args.port,
             " (login required)" if auth else "")
    # Questions are not limited by the queue (their handlers await the back end's pool);
    # the other handlers (documents, excerpts) are short and may run a few at once.
    demo.queue(default_concurrency_limit=max(4, 2 * backend.workers), max_size=512)
    try:
        demo.launch(**launch_kwargs(args.host, args.port, auth))
    finally:
        backend.close()  # the ingest process
    return 0


if __name__ == "__main__":
    sys.exit(main())
