// Blanks the bytes of the npm wasm's data that no code of the module ever reads (npm run
// build, after wasm-pack): the texts of panics, and the integer formatting's digit table.
//
// Why they are there at all: `alloc`'s failure paths (a Vec that cannot grow, the Rc of
// wasm-bindgen's Core) panic with a message and a source Location, and its default
// allocation-error handler formats the size ("memory allocation of {size} bytes failed"),
// which links the two-digit table of integer formatting. The npm build's panic handler traps
// without reading any of it (src/npm/mod.rs), and binaryen removes the formatting code,
// which nothing can call; their data stays, because a data segment is kept whole. Stable
// Rust has no way to leave them out (no #[alloc_error_handler], no panic_immediate_abort).
//
// Blanked means zeroed: the module keeps its layout (every address stays valid), and gzip
// takes runs of zeros for next to nothing (about 0.3 KB gzip less, measured).
// - The texts only a panic handler reads: rustc's library source paths (in Locations),
//   "capacity overflow", "memory allocation of … bytes failed".
// - The digit table "00" … "99", only if no instruction refers into it (a module that
//   formats an integer reads it: then it stays, and the build says so).

import binaryen from "binaryen";

const TEXTS = [
  /\/rustc\/[0-9a-f]{40}\/library\/[!-~]+?\.rs/g,
  /capacity overflow/g,
  /memory allocation of /g,
  / bytes failed/g,
];
const DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, "0")).join("");

/** The module `wasm` (a Buffer) with those bytes zeroed, as a new Buffer. */
export function blankPanicData(wasm) {
  const bytes = Buffer.from(wasm);
  const text = bytes.toString("latin1");
  for (const pattern of TEXTS) for (const m of text.matchAll(pattern)) bytes.fill(0, m.index, m.index + m[0].length);
  const at = text.indexOf(DIGITS);
  if (at >= 0) {
    const address = memoryAddress(bytes, at);
    if (address !== undefined && !refersInto(bytes, address, address + DIGITS.length)) bytes.fill(0, at, at + DIGITS.length);
    else console.warn("build: the wasm refers to the digit table (it formats an integer): kept");
  }
  return bytes;
}

// The memory address where the byte at `offset` of the file lands: in an active data
// segment of memory 0 placed at a constant address (what rustc and wasm-ld write).
function memoryAddress(bytes, offset) {
  let i = 8;
  const leb = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[i++];
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
    }
  };
  const sleb = () => {
    let value = 0, shift = 0, b;
    do {
      b = bytes[i++];
      value += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return b & 0x40 ? value - 2 ** shift : value;
  };
  while (i < bytes.length) {
    const id = bytes[i++];
    const size = leb();
    const end = i + size;
    if (id === 11) {
      for (let count = leb(); count > 0; count--) {
        const flags = leb();
        if (flags !== 0 || bytes[i++] !== 0x41) return undefined; // not `i32.const` in memory 0
        const base = sleb();
        if (bytes[i++] !== 0x0b) return undefined;
        const length = leb();
        if (offset >= i && offset < i + length) return base + offset - i;
        i += length;
      }
    }
    i = end;
  }
  return undefined;
}

// Whether any instruction's constant or memory offset falls in [from, to).
function refersInto(bytes, from, to) {
  const module = binaryen.readBinary(bytes);
  module.setFeatures(binaryen.Features.All);
  const text = module.emitText();
  module.dispose();
  for (const m of text.matchAll(/(?:i32\.const |offset=)(\d+)/g)) if (+m[1] >= from && +m[1] < to) return true;
  return false;
}
