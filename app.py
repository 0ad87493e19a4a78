"""Web chat UI: `python app.py [--host 127.0.0.1] [--port 7860] [--data-dir DIR]`.

Serves the Gradio page over the index in DIR (default: QA_DATA_DIR or .qa). When bound
beyond loopback, a login is required if QA_UI_USER and QA_UI_PASSWORD are set.
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
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Build the page and serve it until interrupted.

    Args:
        argv: command-line arguments.
    """
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log = logging.getLogger("app")

    from qa.config import load_settings
    from qa.web.callbacks import is_loopback, login_from_env
    from qa.web.ui import Backend, build_demo, launch_kwargs

    settings = load_settings(args.data_dir)
    auth = login_from_env(args.host, dict(os.environ))
    if not is_loopback(args.host) and auth is None:
        log.warning("serving on %s without a login: set QA_UI_USER and QA_UI_PASSWORD", args.host)
    backend = Backend(settings.data_dir)
    backend.warm()
    demo = build_demo(backend)
    log.info("index: %s; serving on http://%s:%d", settings.data_dir, args.host, args.port)
    demo.queue(default_concurrency_limit=4)
    demo.launch(**launch_kwargs(args.host, args.port, auth))
    return 0


if __name__ == "__main__":
    sys.exit(main())
