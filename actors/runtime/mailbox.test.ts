import { describe, expect, it } from 'vitest';
import { Mailbox } from './mailbox.js';

describe('actors Mailbox', () => {
  it('hands items out first in, first out, across compactions', () => {
    const box = new Mailbox<number>();
    const out: number[] = [];
    for (let i = 0; i < 500; i++) {
      box.push(i);
      if (i % 3 === 0) out.push(box.shift()!);
    }
    expect(box.size).toBe(500 - out.length);
    for (let x = box.shift(); x !== undefined; x = box.shift()) out.push(x);
    expect(out).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(box.size).toBe(0);
  });

  it('drains what is left, oldest first, and is empty afterwards', () => {
    const box = new Mailbox<string>();
    ['a', 'b', 'c'].forEach((s) => box.push(s));
    box.shift();
    expect(box.drain()).toEqual(['b', 'c']);
    expect(box.shift()).toBeUndefined();
    expect(box.size).toBe(0);
  });
});
