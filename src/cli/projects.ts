/** `vidata projects ...`: manage projects and their API keys on a server without the web platform. */
import type { Command } from 'commander';
import { pino } from 'pino';
import { loadConfig } from '../config.ts';
import { openServices, type Services } from '../service/context.ts';
import type { Project } from '../service/projects.ts';

export function registerProjectsCommand(program: Command): void {
  const projects = program
    .command('projects')
    .description(
      'Create and list projects, rotate their API keys (uses VIDATA_DATA_DIR or VIDATA_DATABASE_URL).',
    );

  projects
    .command('create')
    .description('Create a project on a template folder; prints its id and API key (shown once).')
    .requiredOption('--template <dir>', 'template folder (contains template.json)')
    .requiredOption('--name <name>', 'project name')
    .option('--player-color <color>', 'player page colour, #rrggbb')
    .option('--page-player-link <url>', 'landing page URL pattern containing {videoslug}')
    .option('--json', 'print {"Id": ..., "Key": ...} as JSON')
    .action(
      (options: {
        template: string;
        name: string;
        playerColor?: string;
        pagePlayerLink?: string;
        json?: boolean;
      }) =>
        withServices(async (services) => {
          const { project, key } = await services.projects.create({
            name: options.name,
            templateDir: options.template,
            ...(options.playerColor ? { playerColor: options.playerColor } : {}),
            ...(options.pagePlayerLink ? { pagePlayerLink: options.pagePlayerLink } : {}),
          });
          printKey(project, key, options.json === true);
        }),
    );

  projects
    .command('list')
    .description('List the projects (keys are never shown again).')
    .option('--json', 'print a JSON array')
    .action((options: { json?: boolean }) =>
      withServices(async (services) => {
        const list = await services.projects.list();
        if (options.json) {
          process.stdout.write(`${JSON.stringify(list.map(publicFields), null, 2)}\n`);
          return;
        }
        if (list.length === 0) process.stdout.write('No project yet: run vidata projects create.\n');
        for (const project of list) {
          process.stdout.write(
            `${project.id}  ${project.name}  ${project.templateDir}  ${project.createdAt}\n`,
          );
        }
      }),
    );

  projects
    .command('rotate-key <projectId>')
    .description('Replace the API key of a project; the old key stops working at once.')
    .option('--json', 'print {"Id": ..., "Key": ...} as JSON')
    .action((projectId: string, options: { json?: boolean }) =>
      withServices(async (services) => {
        const { project, key } = await services.projects.rotateKey(projectId);
        printKey(project, key, options.json === true);
      }),
    );
}

async function withServices(run: (services: Services) => Promise<void>): Promise<void> {
  const config = loadConfig();
  const services = await openServices({ config, logger: pino({ level: 'silent' }) });
  try {
    await run(services);
  } finally {
    await services.close();
  }
}

function publicFields(project: Project) {
  return {
    Id: project.id,
    Name: project.name,
    Template: project.templateDir,
    VideoId: project.videoId,
    PlayerColor: project.playerColor,
    PagePlayerLink: project.pagePlayerLink ?? null,
    CreatedOnUtc: project.createdAt,
  };
}

function printKey(project: Project, key: string, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ Id: project.id, Key: key })}\n`);
    return;
  }
  process.stdout.write(`Project ${project.id} (${project.name})\nAPI key (shown only this once): ${key}\n`);
}
