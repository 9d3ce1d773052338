/**
 * A minimal, deterministic `.tar.gz` writer (POSIX ustar, regular files only): how the training script reaches the
 * framework container (`sagemaker_submit_directory`) without a dependency. Same files in, same bytes out.
 */
import { gzipSync } from 'node:zlib';

export interface TarEntry {
  /** Relative path, at most 100 bytes, no `..`. */
  readonly name: string;
  readonly content: Buffer;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(entry: TarEntry): Buffer {
  const block = Buffer.alloc(512, 0);
  const name = Buffer.from(entry.name, 'utf8');
  if (name.length === 0 || name.length > 100 || entry.name.split('/').includes('..') || entry.name.startsWith('/')) {
    throw new Error(`cannot pack ${JSON.stringify(entry.name)}: tar names here are relative and at most 100 bytes`);
  }
  name.copy(block, 0);
  block.write(octal(0o644, 8), 100, 'ascii'); // mode
  block.write(octal(0, 8), 108, 'ascii'); // uid
  block.write(octal(0, 8), 116, 'ascii'); // gid
  block.write(octal(entry.content.length, 12), 124, 'ascii'); // size
  block.write(octal(0, 12), 136, 'ascii'); // mtime: fixed, for reproducible archives
  block.write('        ', 148, 'ascii'); // checksum placeholder
  block.write('0', 156, 'ascii'); // regular file
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return block;
}

export function tarGz(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of [...entries].sort((a, b) => a.name.localeCompare(b.name))) {
    parts.push(header(entry), entry.content);
    const padding = (512 - (entry.content.length % 512)) % 512;
    parts.push(Buffer.alloc(padding, 0));
  }
  parts.push(Buffer.alloc(1024, 0));
  return gzipSync(Buffer.concat(parts), { level: 9 });
}
