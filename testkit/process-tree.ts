import { readdirSync, readFileSync } from 'node:fs';

/** Every live descendant of `pid` (Linux /proc), with its command line. */
export function descendants(pid: number): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  const visit = (p: number): void => {
    const kids: number[] = [];
    try {
      // a child belongs to the thread that forked it
      for (const t of readdirSync(`/proc/${p}/task`)) {
        const text = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim();
        if (text) kids.push(...text.split(/\s+/).map(Number));
      }
    } catch {
      return; // gone meanwhile
    }
    for (const k of kids) {
      let cmd = '';
      try {
        cmd = readFileSync(`/proc/${k}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      } catch {
        continue;
      }
      out.push({ pid: k, cmd });
      visit(k);
    }
  };
  visit(pid);
  return out;
}
