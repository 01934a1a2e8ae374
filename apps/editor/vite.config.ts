import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The server (`plantwire start`) listens on 1880; the dev server forwards everything that is not
// the editor itself to it, websockets included, so the editor always talks to its own origin.
const SERVER = process.env['PLANTWIRE_SERVER'] ?? 'http://127.0.0.1:1880';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': SERVER,
      '/health': SERVER,
      '/metrics': SERVER,
      '/socket.io': { target: SERVER, ws: true },
    },
  },
  preview: { host: '127.0.0.1' },
});
