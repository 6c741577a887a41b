#!/usr/bin/env bash
# Optimizes a wasm for size, as the shipped wasm is: the one definition of the wasm-opt flags,
# used by scripts/build.sh (pkg/: cargo's output, with its raw interface, src/web/abi.rs) and
# scripts/bench-wasm.sh (the benchmark wasm after wasm-bindgen, so it measures the shipped
# code). Extra flags go after IN and OUT (the shipped build
# adds --strip-debug, the names view --debuginfo).
# Usage: bash scripts/wasm-opt.sh IN.wasm OUT.wasm [FLAG...]
set -euo pipefail
cd "$(dirname "$0")/.."
in=$1 out=$2
shift 2
# --one-caller-inline-max-function-size 20: a function with one caller is inlined into it
# only up to 20 bytes (wasm-opt inlines those whatever their size by default): 1.9 KB gzip
# less; 15 to 30 all come within 130 B of each other. Then -Oz, --gufa (whole-program
# inference of what each value can be) and -Oz again: 60 B gzip less than -Oz alone.
# --low-memory-unused: the Rust wasm keeps nothing in the first 1 KB of memory (wasm-ld puts
# a 1 MiB stack first, growing down toward 0, and the data at 1 MiB; only a stack 1 KB from
# overflowing would reach it), so wasm-opt may fold constant offsets into loads and stores:
# 480 B gzip less. --strip-target-features: the `target_features` custom section (which
# features the compiler used) is read by tools, never by a browser: 121 B gzip less.
# --remove-exports of `__data_end` and `__heap_base`: the linker exports them for tools that
# add to a module; no glue reads them (wasm-bindgen's pass dropped them too): 35 B gzip less.
# The --enable-* flags are the features rustc's wasm32 target and wasm-bindgen's output use.
# The figures, and what else was measured: docs/performance.md ("Where the wasm bytes go").
node_modules/.bin/wasm-opt --one-caller-inline-max-function-size 20 -Oz --gufa -Oz --converge \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  --enable-reference-types --enable-multivalue --low-memory-unused --strip-producers --strip-target-features \
  --remove-exports --pass-arg=remove-exports@__data_end,__heap_base \
  "$@" "$in" -o "$out"
