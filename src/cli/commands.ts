/** The list of command modules; each adds its commands to the program. */
import type { Command } from 'commander';

export function registerCommands(_program: Command): void {
  // Command modules are added here as they are written: render, serve, projects.
}
