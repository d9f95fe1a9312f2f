#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""libsvart.so exports exactly the public API: every function declared (not
inline) and every extern object in the installed headers, and nothing else.
usage: check_exports.py LIBSVART_SO HEADER..."""
import re
import subprocess
import sys

lib, headers = sys.argv[1], sys.argv[2:]
declared = set()
for h in headers:
    text = re.sub(r'/\*.*?\*/', '', open(h).read(), flags=re.S)
    # Inline functions are compiled into the application, not exported.
    inline = set(re.findall(r'static inline[^;{]*?\b(svart_\w+)\s*\(', text))
    # Top-level prototypes (a line that starts a declaration, ending in ';').
    for m in re.finditer(r'^(?:[A-Za-z_][\w \t*]*?[\s*])?(svart_\w+)\s*\(', text, re.M):
        end = re.search(r'[;{]', text[m.end():])
        tag = re.search(r'\b(struct|enum|union)\s+$', text[m.start():m.start(1)])
        if m.group(0).startswith('typedef') or tag:
            continue
        if end and end.group() == ';' and m.group(1) not in inline:
            declared.add(m.group(1))
    declared.update(re.findall(r'^extern[ \t][^;(\n]*\b(svart_\w+)[ \t]*(?:\[[^\]\n]*\])?[ \t]*;',
                               text, re.M))
out = subprocess.run(['nm', '-D', '--defined-only', lib], check=True, capture_output=True,
                     text=True).stdout
exported = {l.split()[-1].split('@')[0] for l in out.splitlines() if l.strip()}
exported.discard('SVART_0')
extra, missing = sorted(exported - declared), sorted(declared - exported)
print(f'{len(exported)} symbols exported, {len(declared)} declared in {len(headers)} headers')
for s in extra:
    print(f'FAIL: exported but not public API: {s}')
for s in missing:
    print(f'FAIL: public API not exported (add it to lib/svart.map): {s}')
sys.exit(1 if extra or missing else 0)
