/** Welch's t-test on two samples, one-sided: is `after`'s mean below `before`'s? */
export interface WelchResult {
  meanBefore: number;
  meanAfter: number;
  t: number;
  df: number;
  /** P(T ≤ t) under equal means: small when `after` is lower. */
  pLower: number;
}

function meanVar(xs: readonly number[]): { m: number; v: number } {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
  return { m, v };
}

export function welchLower(before: readonly number[], after: readonly number[]): WelchResult {
  if (before.length < 2 || after.length < 2) throw new Error('welch test: each sample needs at least 2 values');
  const b = meanVar(before);
  const a = meanVar(after);
  const sb = b.v / before.length;
  const sa = a.v / after.length;
  const se = Math.sqrt(sa + sb);
  if (se === 0) {
    const pLower = a.m < b.m ? 0 : 1;
    return {
      meanBefore: b.m,
      meanAfter: a.m,
      t: a.m < b.m ? -Infinity : 0,
      df: before.length + after.length - 2,
      pLower,
    };
  }
  const t = (a.m - b.m) / se;
  const df = (sa + sb) ** 2 / (sa ** 2 / (after.length - 1) + sb ** 2 / (before.length - 1));
  return { meanBefore: b.m, meanAfter: a.m, t, df, pLower: studentTCdf(t, df) };
}

/** CDF of Student's t with `df` degrees of freedom, through the regularized incomplete beta function. */
export function studentTCdf(t: number, df: number): number {
  if (!Number.isFinite(t)) return t < 0 ? 0 : 1;
  const x = df / (df + t * t);
  const tail = 0.5 * incompleteBeta(x, df / 2, 0.5);
  return t < 0 ? tail : 1 - tail;
}

function lnGamma(z: number): number {
  // Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for z > 0
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - lnGamma(1 - z);
  const zz = z - 1;
  let x = c[0]!;
  for (let i = 1; i < 9; i++) x += c[i]! / (zz + i);
  const t = zz + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (zz + 0.5) * Math.log(t) - t + Math.log(x);
}

/** I_x(a, b) by Lentz's continued fraction (Numerical Recipes `betai`/`betacf`). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(x, a, b)) / a;
  return 1 - (front * betaFraction(1 - x, b, a)) / b;
}

function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 3e-14) break;
  }
  return h;
}
