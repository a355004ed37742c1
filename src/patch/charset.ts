// Bytes to text for decoded (quoted-printable, base64) bodies: UTF-8 when the bytes are valid
// UTF-8, Latin-1 otherwise, keeping for every char the index of the byte it came from so
// positions can be mapped back to the raw document.

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

export type Charset = 'utf-8' | 'latin1';

/** The charset to decode with: a declared Latin-1 family charset wins; otherwise UTF-8 when
 *  valid, else Latin-1 (`fellBack` says the declared or assumed UTF-8 was not valid). */
export function chooseCharset(declared: string | null, bytes: Uint8Array): { charset: Charset; fellBack: boolean } {
  const d = (declared ?? '').toLowerCase();
  if (/^(iso-8859-1|iso8859-1|latin-?1|l1|windows-1252|cp1252|iso-8859-15)$/.test(d)) {
    return { charset: 'latin1', fellBack: false };
  }
  if (isValidUtf8(bytes)) return { charset: 'utf-8', fellBack: false };
  return { charset: 'latin1', fellBack: true };
}

export interface DecodedText {
  text: string;
  /** For each UTF-16 code unit of `text`, the index (relative to `start`) of its first byte. */
  byteOf: number[];
}

export function decodeBytes(bytes: ArrayLike<number>, start: number, end: number, charset: Charset): DecodedText {
  let text = '';
  const byteOf: number[] = [];
  if (charset === 'latin1') {
    for (let i = start; i < end; i++) {
      text += String.fromCharCode(bytes[i]);
      byteOf.push(i - start);
    }
    return { text, byteOf };
  }
  let i = start;
  while (i < end) {
    const b = bytes[i];
    let cp = b;
    let n = 1;
    if (b >= 0xf0 && b < 0xf8) { cp = b & 0x07; n = 4; }
    else if (b >= 0xe0) { cp = b & 0x0f; n = 3; }
    else if (b >= 0xc0) { cp = b & 0x1f; n = 2; }
    let ok = n === 1 ? b < 0x80 : i + n <= end;
    for (let k = 1; ok && k < n; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (c & 0x3f);
    }
    if (ok && cp > 0x10ffff) ok = false;
    if (!ok) { cp = b; n = 1; } // not valid here: that byte as Latin-1
    const s = String.fromCodePoint(cp);
    text += s;
    for (let k = 0; k < s.length; k++) byteOf.push(i - start);
    i += n;
  }
  return { text, byteOf };
}

/** Text to bytes the way it would have been on the wire (chars above 0xff as UTF-8). */
export function utf8Bytes(ch: string): number[] {
  return Array.from(new TextEncoder().encode(ch));
}
