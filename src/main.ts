/**
 * Entry point: .env and configuration (src/cli/bootstrap.ts), the HTTP port bound before the database is
 * opened (a port in use stops start-up before any migration), the process guards, and a graceful stop on
 * SIGTERM / SIGINT or after an uncaught exception.
 */
import { type CommandContext, options, runCommand } from './cli/bootstrap.ts';
import { bindListener } from './cli/listener.ts';
import { installProcessGuards } from './cli/process-guards.ts';
import { browserUrl, createStartupReport, type StartPage } from './lib/startup-report.ts';
import { httpServerOptions } from './http/server-options.ts';
import { outputWritten } from './lib/log-destination.ts';
import { createService, type Service } from './service.ts';

/** What a person opens first once the service is up, in this order. */
const START_PAGES: readonly StartPage[] = [
  { label: 'Console', path: '/console' },
  { label: 'API documentation', path: '/docs' },
];

async function serve(ctx: CommandContext): Promise<void> {
  const config = ctx.config();
  const logger = ctx.logger();
  let service: Service | undefined;
  let stopping = false;

  const shutdown = (reason: Record<string, unknown>, exitCode: number) => {
    if (stopping) {
      logger.warn(reason, 'second stop request: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info(reason, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 25 s; exiting');
      process.exit(1);
    }, 25_000);
    force.unref();
    (service ? service.stop() : Promise.resolve()).then(
      // The last log lines ("stopped") reach a slow reader before the exit, if it takes them within 2 s.
      () => {
        process.exitCode = exitCode;
        return outputWritten().then(() => process.exit(exitCode));
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };

  installProcessGuards({ logger, onFatal: () => shutdown({ reason: 'uncaughtException' }, 1) });
  // Plain words for a person at a terminal; JSON log lines when the output is piped.
  const startup = createStartupReport({ interactive: Boolean(process.stdout.isTTY && process.stderr.isTTY), logger, pages: START_PAGES });
  const server = await bindListener(config.http.port, config.http.host, httpServerOptions(config.http));
  try {
    service = await createService(config, { logger, server, startup });
    const address = await service.start();
    startup.ready(browserUrl(config.http.host, address.port, config.http.publicUrl));
  } catch (error) {
    server.close();
    throw error;
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => shutdown({ signal }, 0));
}

// The service takes no arguments: everything is configured by the environment (and .env).
await runCommand({ name: 'support-triage', usage: 'npm start', parse: options({}), run: (_args, ctx) => serve(ctx), runsUntilStopped: true });
