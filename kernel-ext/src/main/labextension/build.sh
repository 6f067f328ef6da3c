#!/usr/bin/env bash
# Rebuilds the prebuilt JupyterLab 4 / Notebook 7 extension committed under
# ../resources/dev/neurolens/labextension/neurolens-comms (users need no node: the kernelspec installer copies it).
# Needs node, npm and a JupyterLab 4 Python package (its staging folder names the shared core packages):
#   JUPYTERLAB_STAGING=/path/to/site-packages/jupyterlab/staging ./build.sh
set -euo pipefail
cd "$(dirname "$0")"
staging="${JUPYTERLAB_STAGING:-$(python3 -c 'import jupyterlab, os; print(os.path.join(os.path.dirname(jupyterlab.__file__), "staging"))')}"
npm install --no-audit --no-fund
out=../resources/dev/neurolens/labextension/neurolens-comms
rm -rf "$out"
node node_modules/@jupyterlab/builder/lib/build-labextension.js --core-path "$staging" .
# the jar cannot list a folder, so the installer reads the file names from here
(cd "$out" && find . -type f ! -name files.txt | sed 's|^\./||' | sort > files.txt)
