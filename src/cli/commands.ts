/** The list of command modules; each adds its commands to the program. */
import type { Command } from 'commander';
import { registerRenderCommand } from './render.ts';

export function registerCommands(program: Command): void {
  registerRenderCommand(program);
  // Command modules are added here as they are written: render, serve, projects.
}
