"""What the speed benchmarks share: keep a run's printout and append it to its one results file."""
import sys


class Tee:
    """stdout that is also kept, to append this run's printout to the results file."""

    def __init__(self, stream):
        self.stream, self.lines = stream, []

    def write(self, s):
        self.lines.append(s)
        return self.stream.write(s)

    def flush(self):
        self.stream.flush()


def record(text: str, name: str) -> None:
    """Append this run (a header with the command line and the date, then the printout) to results/<name>."""
    import time
    from pathlib import Path

    out = Path(__file__).resolve().parent / "results" / name
    head = f"# {' '.join(['python benchmarks/' + Path(sys.argv[0]).name] + sys.argv[1:])}, " \
           f"{time.strftime('%Y-%m-%dT%H:%MZ', time.gmtime())}\n"
    with open(out, "a") as fh:
        fh.write(("\n" if out.is_file() else "") + head + text)
