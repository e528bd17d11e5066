import { describe, expect, it } from 'vitest';
import { splitStatements } from './split-statements.js';

describe('stores splitStatements', () => {
  it('splits at a semicolon that ends a line and at a line holding only a semicolon', () => {
    const sql = 'CREATE TABLE a (x UInt8);\nCREATE TABLE b (x UInt8)\n;\nCREATE TABLE c (x UInt8);';
    expect(splitStatements(sql)).toEqual([
      'CREATE TABLE a (x UInt8)',
      'CREATE TABLE b (x UInt8)',
      'CREATE TABLE c (x UInt8)',
    ]);
  });

  it('keeps a semicolon in the middle of a line, e.g. inside a string', () => {
    expect(splitStatements("SELECT 'a;b' AS s;\nSELECT 2")).toEqual(["SELECT 'a;b' AS s", 'SELECT 2']);
  });

  it('splits before a trailing comment and drops comment-only pieces', () => {
    const sql = '-- header\nSELECT 1; -- first\r\n-- nothing here\n;\n  \nSELECT 2;\n-- footer\n';
    expect(splitStatements(sql)).toEqual(['-- header\nSELECT 1', 'SELECT 2']);
  });

  it('returns nothing for an empty file', () => {
    expect(splitStatements('\n-- only a comment\n')).toEqual([]);
  });
});
