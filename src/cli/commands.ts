/** The list of command modules; each adds its commands to the program. */
import type { Command } from 'commander';
import { registerProjectsCommand } from './projects.ts';
import { registerRenderCommand } from './render.ts';
import { registerServeCommand } from './serve.ts';

export function registerCommands(program: Command): void {
  registerRenderCommand(program);
  registerServeCommand(program);
  registerProjectsCommand(program);
}
