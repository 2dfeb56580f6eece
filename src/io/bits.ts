/** Big-endian bit writer and the CRCs the FLAC format uses. */

export class BitWriter {
  private buf = new Uint8Array(1 << 16);
  private len = 0;
  private cur = 0;
  private used = 0; // bits used in `cur`

  /** Writes the low `n` bits of a non-negative `value` (n ≤ 32), most significant first. */
  writeBits(value: number, n: number): void {
    while (n > 0) {
      const free = 8 - this.used;
      const take = n < free ? n : free;
      const shift = n - take;
      const chunk = (shift >= 32 ? 0 : value >>> shift) & ((1 << take) - 1);
      this.cur |= chunk << (free - take);
      this.used += take;
      n -= take;
      if (this.used === 8) this.flushByte();
    }
  }

  /** Writes a two's-complement signed value in `n` bits. */
  writeSigned(value: number, n: number): void {
    this.writeBits(n === 32 ? value >>> 0 : value & ((2 ** n - 1) | 0), n);
  }

  /** Writes `q` zero bits then a one (unary code). */
  writeUnary(q: number): void {
    while (q >= 8 && this.used === 0) {
      this.push(0);
      q -= 8;
    }
    while (q > 0) {
      const take = Math.min(q, 8 - this.used);
      this.used += take;
      q -= take;
      if (this.used === 8) this.flushByte();
    }
    this.writeBits(1, 1);
  }

  /** Pads with zero bits to the next byte boundary. */
  alignToByte(): void {
    if (this.used > 0) this.flushByte();
  }

  get byteLength(): number {
    return this.len;
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  private flushByte(): void {
    this.push(this.cur);
    this.cur = 0;
    this.used = 0;
  }

  private push(b: number): void {
    if (this.len === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.len++] = b;
  }
}

const CRC8 = new Uint8Array(256);
const CRC16 = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let c8 = i;
  let c16 = i << 8;
  for (let b = 0; b < 8; b++) {
    c8 = (c8 & 0x80 ? (c8 << 1) ^ 0x07 : c8 << 1) & 0xff;
    c16 = (c16 & 0x8000 ? (c16 << 1) ^ 0x8005 : c16 << 1) & 0xffff;
  }
  CRC8[i] = c8;
  CRC16[i] = c16;
}

/** CRC-8, polynomial x^8 + x^2 + x + 1, initial 0 (FLAC frame headers). */
export function crc8(bytes: Uint8Array): number {
  let c = 0;
  for (let i = 0; i < bytes.length; i++) c = CRC8[c ^ bytes[i]];
  return c;
}

/** CRC-16, polynomial x^16 + x^15 + x^2 + 1, initial 0 (FLAC frames). */
export function crc16(bytes: Uint8Array): number {
  let c = 0;
  for (let i = 0; i < bytes.length; i++) c = ((c << 8) & 0xffff) ^ CRC16[(c >> 8) ^ bytes[i]];
  return c;
}
