"""Execute notebooks headless with the Neurolens kernel and check what a reader would see.

Fails on any error output (unless the cell is tagged `raises-exception`) and on a cell tagged `figure` that
produced no image/png. Executed copies go to --out (or back into the file with --inplace, which is how the
notebooks are saved WITH outputs); --html also writes an HTML rendering next to each executed copy.

usage: run_notebooks.py [--kernel neurolens] [--out DIR | --inplace] [--html] [--timeout S] NOTEBOOK_OR_DIR...
"""
import argparse
import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def notebooks(paths):
    for p in map(pathlib.Path, paths):
        if p.is_dir():
            yield from sorted(q for q in p.rglob("*.ipynb") if ".ipynb_checkpoints" not in q.parts)
        else:
            yield p


def check(nb, path):
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.get("tags", [])
        outs = cell.get("outputs", [])
        if "raises-exception" not in tags:
            for o in outs:
                if o.output_type == "error":
                    problems.append(f"{path} cell {i}: {o.ename}: {o.evalue}")
        if "figure" in tags and not any("image/png" in o.get("data", {}) for o in outs):
            problems.append(f"{path} cell {i}: tagged 'figure' but shows no image/png")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--kernel", default="neurolens")
    ap.add_argument("--out", default=None)
    ap.add_argument("--inplace", action="store_true")
    ap.add_argument("--html", action="store_true")
    ap.add_argument("--timeout", type=int, default=900)
    args = ap.parse_args()

    failures = []
    for path in notebooks(args.paths):
        nb = nbformat.read(path, as_version=4)
        t0 = time.time()
        client = NotebookClient(nb, kernel_name=args.kernel, timeout=args.timeout,
                                resources={"metadata": {"path": str(path.parent)}})
        try:
            client.execute()
        except CellExecutionError as e:
            failures.append(f"{path}: {str(e).splitlines()[-1] if str(e) else e}")
        problems = check(nb, path)
        failures.extend(problems)
        status = "FAILED" if problems else "ok"
        print(f"{status:6s} {path} ({time.time() - t0:.1f} s)", flush=True)
        target = path if args.inplace else (pathlib.Path(args.out) / path.name if args.out else None)
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, target)
            if args.html:
                from nbconvert import HTMLExporter
                body, _ = HTMLExporter().from_notebook_node(nb)
                target.with_suffix(".html").write_text(body, encoding="utf-8")
    if failures:
        print("\n".join(["", "Notebook problems:"] + failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
