import { readFileSync } from 'node:fs';

/**
 * Secrets an OptiInfra process may hold. Each comes from `NAME` or from the file named by
 * `NAME_FILE` (docker/k8s secrets); every value loaded is registered, so the log, event and
 * DLQ scrubbers replace it wherever it shows up in free text.
 */
export const SECRET_VARS = {
  OI_NATS_PASS: 'NATS password of this process role',
  OI_LLM_API_KEY: 'API key of the OpenAI-compatible LLM endpoint',
  OI_TIER3_KEY: 'encryption key of tier-3 (privacy) application content',
  OI_CLICKHOUSE_PASSWORD: 'ClickHouse password',
} as const;

export type SecretName = keyof typeof SECRET_VARS;

/** Registered secret values, longest first so a secret containing another is replaced whole. */
const registered = new Set<string>();
let ordered: string[] = [];

/** Secrets shorter than this are not scrubbed by value: replacing "a" everywhere would wreck the text. */
export const MIN_SECRET_LENGTH = 6;

export const REDACTED = '[redacted]';

/** Registers a value for scrubbing; returns it unchanged. */
export function registerSecret(value: string | undefined): string | undefined {
  if (!value || value.length < MIN_SECRET_LENGTH || registered.has(value)) return value;
  registered.add(value);
  // the JSON-escaped and URL-encoded forms are what a log line or a URL carries
  for (const form of [JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]) {
    if (form !== value && form.length >= MIN_SECRET_LENGTH) registered.add(form);
  }
  ordered = [...registered].sort((a, b) => b.length - a.length);
  return value;
}

/** How many values the scrubber knows; for tests and `optiinfra status`. */
export function registeredSecretCount(): number {
  return registered.size;
}

const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^/\s:@"']+:)([^@\s/"']+)(@)/gi;

/**
 * Replaces registered secrets and the password of any `scheme://user:pass@host` URL in free
 * text (error messages, reasons) with `[redacted]`.
 */
export function scrubSecrets(text: string): string {
  return scrubKnownSecrets(text.replace(URL_PASSWORD, `$1${REDACTED}$3`));
}

/** Replaces registered secrets only (no URL parsing): cheap enough for every encoded envelope. */
export function scrubKnownSecrets(text: string): string {
  let out = text;
  for (const s of ordered) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

/** True when `text` carries a registered secret or a URL with a password. */
export function containsSecret(text: string): boolean {
  for (const m of text.matchAll(URL_PASSWORD)) if (m[2] !== REDACTED) return true;
  return ordered.some((s) => text.includes(s));
}

/**
 * Reads `name` from the environment, or the file named by `name_FILE` (trailing newline
 * trimmed); a `_FILE` that cannot be read throws naming the variable and the path.
 */
export function readSecret(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const direct = env[name];
  if (direct) return registerSecret(direct);
  const file = env[`${name}_FILE`];
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${name}_FILE=${file}: cannot read the secret file (${(err as NodeJS.ErrnoException).code})`, {
      cause: err,
    });
  }
  return registerSecret(text.replace(/\r?\n$/, ''));
}

export interface LoadedSecrets {
  natsPass?: string;
  llmApiKey?: string;
  tier3Key?: string;
  clickhousePassword?: string;
  pgPassword?: string;
}

/**
 * Loads every known secret (env or `_FILE`), the PostgreSQL password from inside `OI_PG_URL`
 * and the webhook URLs of `OI_NOTIFY_WEBHOOKS` too, registering each for scrubbing.
 */
export function loadSecrets(env: NodeJS.ProcessEnv = process.env): LoadedSecrets {
  const out: LoadedSecrets = {};
  const set = (key: keyof LoadedSecrets, value: string | undefined): void => {
    if (value) out[key] = value;
  };
  set('natsPass', readSecret('OI_NATS_PASS', env));
  set('llmApiKey', readSecret('OI_LLM_API_KEY', env));
  set('tier3Key', readSecret('OI_TIER3_KEY', env));
  set('clickhousePassword', readSecret('OI_CLICKHOUSE_PASSWORD', env));
  set('pgPassword', passwordInUrl(env.OI_PG_URL));
  // webhook URLs carry their token in the path
  for (const url of (env.OI_NOTIFY_WEBHOOKS ?? '').match(/https?:\/\/[^"\s,\]]+/g) ?? []) registerSecret(url);
  return out;
}

/** The password inside a connection URL, registered for scrubbing. */
export function passwordInUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const p = new URL(url).password;
    return p ? registerSecret(decodeURIComponent(p)) : undefined;
  } catch {
    return undefined;
  }
}
