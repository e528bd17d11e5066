// Logs are asserted, never printed (STYLE.md, Tests 10): a stray console call fails the test.
for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  // eslint-disable-next-line no-console
  console[method] = (...args: unknown[]) => {
    throw new Error(`console.${method} called in a test: ${args.map(String).join(' ').slice(0, 200)}`);
  };
}
