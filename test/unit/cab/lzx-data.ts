// Deterministic test payloads for the LZX tests: x86-like code full of E8 calls, records that
// repeat at alternating distances (R0–R2 matches), far repeats (window size matters), noise.

export function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x;
  };
}

export function noise(n: number, seed = 7): Buffer {
  const r = xorshift(seed);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = r() & 0xff;
  return b;
}

/** Code-like bytes: short instructions and E8 CALLs whose relative targets point at a few
 * functions (so E8 translation makes them repeat), plus E8 bytes in the last 10 bytes of
 * frames, where no translation may happen. */
export function x86Like(n: number, seed = 3): Buffer {
  const r = xorshift(seed);
  const b = Buffer.alloc(n);
  const targets = [0x1000, 0x2400, 0x7ff0, 0x12345, n - 64];
  const ops = [0x55, 0x8b, 0xec, 0x48, 0x89, 0x5d, 0xc3, 0x90, 0x83, 0xc4, 0x33, 0xc0];
  let i = 0;
  while (i < n) {
    const kind = r() % 8;
    if (kind < 3 && i + 5 <= n) {
      const target = targets[r() % targets.length]!;
      b[i] = 0xe8;
      b.writeInt32LE((target - i) | 0, i + 1);
      i += 5;
    } else b[i++] = ops[r() % ops.length]!;
  }
  for (let f = 32768; f < n; f += 32768) for (let k = 1; k <= 10; k += 3) b[f - k] = 0xe8;
  return b;
}

/** Records whose fields repeat at two alternating distances: matches at R1/R2 pay off. */
export function repeatsAtAlternatingOffsets(n: number): Buffer {
  const b = Buffer.alloc(n);
  const r = xorshift(11);
  const a = Buffer.from('ALPHA-record-0123'), c = Buffer.from('beta:');
  let i = 0;
  while (i < n) {
    for (const chunk of [a, Buffer.from([r() & 0xff, r() & 0xff]), c, Buffer.from([r() & 0xff])]) {
      chunk.copy(b, i);
      i += chunk.length;
    }
  }
  return b;
}

/** Noise blocks that come back `distance` bytes later: only a window over it can match them. */
export function farRepeats(n: number, distance = 100_000): Buffer {
  const unit = noise(distance, 5);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i += unit.length) unit.copy(b, i);
  return b;
}

/** Runs of xorshift noise alternating with repeated text (as cabextract-agreement's mixedData). */
export function mixedData(n: number, seed = 0x9e3779b9): Buffer {
  const b = Buffer.alloc(n);
  const r = xorshift(seed);
  const text = Buffer.from('widget-thread|render.dll+0x1a2f4|');
  for (let i = 0; i < n; i++) b[i] = (i >> 12) % 3 === 0 ? r() & 0xff : text[i % text.length]!;
  return b;
}
