"""Run localstripe (the Stripe API stand-in for `make run` and the tests) on loopback only.

Its own CLI binds every interface and pickles to a fixed file in /tmp; this wrapper
keeps its state under .data/ (or a path given) and listens on 127.0.0.1 only.
"""

import argparse
import pickle
from pathlib import Path

from aiohttp import web
from localstripe import resources, server


def serve(port: int, state_file: Path | None) -> None:
    def load(self):
        if state_file and state_file.exists():
            with state_file.open("rb") as f:
                self.clear()
                self.update(pickle.load(f))

    def dump(self):
        if state_file:
            with state_file.open("wb") as f:
                pickle.dump(self, f, protocol=pickle.HIGHEST_PROTOCOL)

    resources.Store.try_load_from_disk = load
    resources.Store.dump_to_disk = dump
    resources.store.try_load_from_disk()
    web.run_app(server.app, host="127.0.0.1", port=port, print=None)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--state", type=Path, default=Path(".data/localstripe.pickle"))
    args = parser.parse_args()
    args.state.parent.mkdir(parents=True, exist_ok=True)
    serve(args.port, args.state)
