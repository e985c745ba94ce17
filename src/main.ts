/**
 * Entry point: load .env when present, validate the configuration (every problem at once), start the
 * service, and stop it gracefully on SIGTERM / SIGINT.
 */
import { existsSync } from 'node:fs';
import { ConfigError, loadConfig } from './config.ts';
import { createService } from './service.ts';

if (existsSync('.env')) process.loadEnvFile('.env');

let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}

const service = await createService(config);
await service.start();

let signals = 0;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (++signals > 1) {
      service.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    service.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      service.logger.error('shutdown took longer than 25 s; exiting');
      process.exit(1);
    }, 25_000);
    force.unref();
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        service.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
