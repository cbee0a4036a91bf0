"""python -m standin --port 5055 [--host 127.0.0.1] [--auth-token …] [--no-callbacks] [--send-jitter S]
                  [--store FILE | --memory]

Messages and media are kept in the SQLite file --store (else $STANDIN_STORE), so the phone
simulator's conversations survive a restart; `make run` (Procfile.dev) keeps them in
$SINAC_INSTANCE_DIR/standin.sqlite3. Without either, or with --memory, nothing is kept."""

from __future__ import annotations

import argparse
import logging
import os

from standin.app import create_app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m standin", description="Local stand-in of Twilio's Messages API")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--auth-token", default=os.environ.get("TWILIO_AUTH_TOKEN") or "dev-auth-token",
                        help="signs status callbacks (default: $TWILIO_AUTH_TOKEN)")
    parser.add_argument("--no-callbacks", action="store_true", help="do not post status callbacks")
    parser.add_argument("--send-jitter", type=float, default=0.0,
                        help="each message leaves the queue after a random 0..S seconds (order not kept)")
    parser.add_argument("--store", default=None, help="SQLite file for messages and media (default: "
                        "$STANDIN_STORE; none: memory)")
    parser.add_argument("--memory", action="store_true", help="keep nothing across restarts")
    args = parser.parse_args(argv)
    store = None if args.memory else (args.store or os.environ.get("STANDIN_STORE") or None)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s standin %(levelname)s %(message)s")
    app = create_app(auth_token=args.auth_token, callbacks=not args.no_callbacks,
                     send_jitter=args.send_jitter, store=store)
    from werkzeug.serving import run_simple

    run_simple(args.host, args.port, app, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
