#!/usr/bin/env sh
# Print a Python >= 3.12 interpreter that really runs: one on PATH first, then pyenv's
# installed versions (their bare shims fail unless a version is selected). Exit 1 with a
# clear message when there is none.
ok() { "$@" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
for cand in python3.12 python3.13 python3 python; do
  if command -v "$cand" >/dev/null 2>&1 && ok "$cand"; then command -v "$cand"; exit 0; fi
done
root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
for dir in $(ls -d "$root"/versions/3.1[2-9]* "$root"/versions/3.[2-9][0-9]* 2>/dev/null | sort -V); do
  if [ -x "$dir/bin/python3" ] && ok "$dir/bin/python3"; then echo "$dir/bin/python3"; exit 0; fi
done
echo "twin needs Python 3.12 or newer: none found on PATH or in pyenv ($root/versions)." >&2
echo "Install one (e.g. 'pyenv install 3.12' or 'apt-get install python3.12') and retry." >&2
exit 1
