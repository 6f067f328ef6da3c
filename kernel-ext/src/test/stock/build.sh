#!/usr/bin/env bash
# Builds the stock IJava and JJava kernels from their published source and installs their kernelspecs
# (ijava-VERSION, jjava-VERSION) under OUT/share/jupyter, for test_stock_kernels.py. Nothing here is committed or
# shipped: the kernels are other projects', built only to prove the extension works inside them.
#
#   kernel-ext/src/test/stock/build.sh OUT IJAVA_SOURCE JJAVA_SOURCE...
#
# IJAVA_SOURCE: a checkout of github.com/SpencerPark/IJava (1.3.0, built here with Maven instead of its Gradle).
# JJAVA_SOURCE: checkouts of github.com/dflib/jjava at release tags: 1.0-a6 (the base library Neurolens compiles
#               against) and later ones.
# Then: NEUROLENS_STOCK_KERNELS=OUT/share/jupyter /usr/bin/python3 -m unittest kernel-ext/src/test/python/test_stock_kernels.py
set -euo pipefail
if [[ $# -lt 3 ]]; then
    echo "usage: $0 OUT IJAVA_SOURCE JJAVA_SOURCE..." >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
ijava_src=$(cd "$2" && pwd)
shift 2
kernels="$out/share/jupyter/kernels"
for f in "$ijava_src/src/main/java/io/github/spencerpark/ijava/IJava.java"; do
    [[ -f $f ]] || { echo "not a source tree of the expected kernel: $f is missing" >&2; exit 2; }
done
for j in "$@"; do
    [[ -f $j/jjava-distro/pom.xml ]] || { echo "not a JJava source tree: $j/jjava-distro/pom.xml is missing" >&2; exit 2; }
done

# IJava: its main source and resources, compiled with the dependencies its build.gradle names
rm -rf "$out/build/ijava" && mkdir -p "$out/build/ijava"
cp -r "$ijava_src/src" "$out/build/ijava/src"
rm -rf "$out/build/ijava/src/test"
cp "$here/ijava-pom.xml" "$out/build/ijava/pom.xml"
(cd "$out/build/ijava" && mvn -B -q package -DskipTests)
rm -rf "$kernels/ijava-1.3.0" && mkdir -p "$kernels/ijava-1.3.0"
cp "$out/build/ijava/target/ijava.jar" "$kernels/ijava-1.3.0/"
cp -r "$out/build/ijava/target/lib" "$kernels/ijava-1.3.0/lib"
cat > "$kernels/ijava-1.3.0/kernel.json" <<JSON
{
  "argv": ["java", "-cp", "{resource_dir}/ijava.jar:{resource_dir}/lib/*", "io.github.spencerpark.ijava.IJava",
           "{connection_file}"],
  "display_name": "Java (stock IJava 1.3.0)",
  "language": "java",
  "interrupt_mode": "message"
}
JSON

# JJava: its own Maven build and the kernelspec its distro module packs, once per source tree
for j in "$@"; do
    src=$(cd "$j" && pwd)
    (cd "$src" && mvn -B -q package -DskipTests)
    zip=$(ls "$src"/jjava-distro/target/jjava-*-kernelspec.zip | head -1)
    version=$(basename "$zip" -kernelspec.zip)
    version=${version#jjava-}
    rm -rf "$kernels/jjava-$version" && mkdir -p "$kernels/jjava-$version"
    (cd "$kernels/jjava-$version" && unzip -q "$zip")
    /usr/bin/python3 - "$kernels/jjava-$version/kernel.json" "$version" <<'PY'
import json, sys
p = sys.argv[1]
spec = json.load(open(p))
spec["display_name"] = "Java (stock JJava " + sys.argv[2] + ")"
json.dump(spec, open(p, "w"), indent=2)
PY
done
echo "stock kernels in $out/share/jupyter/kernels: $(ls "$kernels" | tr '\n' ' ')"
