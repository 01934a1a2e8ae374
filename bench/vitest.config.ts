import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The root vitest config does not include bench/; run these with `npx vitest run --config bench/vitest.config.ts`.
export default defineConfig({
  test: { root: fileURLToPath(new URL('.', import.meta.url)), include: ['**/*.test.ts'], exclude: ['**/node_modules/**'] },
});
