/**
 * Loading a template folder: parse `template.json`, check it against the schema and against itself
 * (references between layers, variables, fonts and files), and return a validated, frozen
 * `Template`. Every problem is reported at once with its JSON path, e.g.
 * `scenes[2].layers[0].box.w: must be > 0`.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { VidataError } from '../errors.ts';
import {
  USER_EMAIL_VARIABLE,
  templateSchema,
  variableKind,
  variableSchemas,
  type Scene,
  type TemplateFile,
  type VariableDeclaration,
} from './schema.ts';

export interface Template extends Omit<TemplateFile, 'variables'> {
  /** Absolute path of the template folder. */
  dir: string;
  variables: VariableDeclaration[];
  /** Sum of the scene durations, in seconds. */
  duration: number;
  /** Number of frames of the whole video. */
  frameCount: number;
  /** Hash of template.json and every file it names: changes whenever the output could change. */
  version: string;
}

export interface TemplateProblem {
  path: string;
  message: string;
}

const PLACEHOLDER = /\{\{\s*([^{}\s]+)\s*\}\}/g;

/** Lists the variable names used as `{{NAME}}` in a text. */
export function placeholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
}

/** Replaces each `{{NAME}}` with its value; names without a value become an empty string. */
export function fillPlaceholders(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(PLACEHOLDER, (_, name: string) => values[name] ?? '');
}

export function formatPath(parts: readonly PropertyKey[]): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out || '(root)';
}

function zodProblems(error: z.ZodError, prefix: readonly PropertyKey[] = []): TemplateProblem[] {
  return error.issues.map((issue) => ({
    path: formatPath([...prefix, ...issue.path]),
    message: issue.message,
  }));
}

/** Loads and validates the template in `dir`; throws TEMPLATE_INVALID listing every problem. */
export async function loadTemplate(dir: string): Promise<Template> {
  const absoluteDir = path.resolve(dir);
  const file = path.join(absoluteDir, 'template.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new VidataError('TEMPLATE_NOT_FOUND', `Template not found: ${file} cannot be read.`, {
      field: 'template',
      cause,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw invalid([{ path: '(root)', message: `invalid JSON: ${(cause as Error).message}` }], file);
  }
  return parseTemplate(json, absoluteDir);
}

/** Validates an already parsed `template.json` whose assets live in `dir`. */
export async function parseTemplate(json: unknown, dir: string): Promise<Template> {
  const absoluteDir = path.resolve(dir);
  const parsed = templateSchema.safeParse(json);
  if (!parsed.success) throw invalid(zodProblems(parsed.error), path.join(absoluteDir, 'template.json'));
  const file = parsed.data;
  const problems: TemplateProblem[] = [];

  const variables = parseVariables(file.variables, problems);
  checkReferences(file, variables, problems);
  const files = referencedFiles(file, variables);
  await checkFiles(absoluteDir, files, problems);
  if (problems.length > 0) throw invalid(problems, path.join(absoluteDir, 'template.json'));

  const duration = file.scenes.reduce((sum, scene) => sum + scene.duration, 0);
  const frameCount = file.scenes.reduce((sum, scene) => sum + sceneFrames(scene, file.output.fps), 0);
  const version = await hashTemplate(json, absoluteDir, files);
  return deepFreeze({ ...file, dir: absoluteDir, variables, duration, frameCount, version });
}

/** Number of frames of a scene: its duration rounded to whole frames, so segments join exactly. */
export function sceneFrames(scene: Pick<Scene, 'duration'>, fps: number): number {
  return Math.max(1, Math.round(scene.duration * fps));
}

function parseVariables(raw: TemplateFile['variables'], problems: TemplateProblem[]): VariableDeclaration[] {
  const out: VariableDeclaration[] = [];
  const seen = new Set<string>();
  raw.forEach((entry, index) => {
    const name = typeof entry.Name === 'string' ? entry.Name : undefined;
    if (name === undefined) {
      problems.push({ path: `variables[${index}].Name`, message: 'must be a string' });
      return;
    }
    const kind = variableKind(name);
    if (kind === undefined) {
      problems.push({
        path: `variables[${index}].Name`,
        message: `"${name}" must start with TXT_, TXT_MAP_, IMG_ or VID_`,
      });
      return;
    }
    if (seen.has(name)) {
      problems.push({ path: `variables[${index}].Name`, message: `"${name}" is declared twice` });
      return;
    }
    seen.add(name);
    const result = variableSchemas[kind].safeParse(entry);
    if (!result.success) {
      problems.push(...zodProblems(result.error, ['variables', index]));
      return;
    }
    const declaration = { kind, ...result.data } as VariableDeclaration;
    if (declaration.kind === 'image') {
      const choices = declaration.PredefinedChoices ?? {};
      const isChoice = Object.hasOwn(choices, declaration.DefaultValue);
      const looksLikeFile = /\.[A-Za-z0-9]+$/.test(declaration.DefaultValue);
      if (!isChoice && !looksLikeFile) {
        problems.push({
          path: `variables[${index}].DefaultValue`,
          message: `"${declaration.DefaultValue}" must be a key of PredefinedChoices or an image file path`,
        });
      }
    }
    out.push(declaration);
  });
  if (!seen.has(USER_EMAIL_VARIABLE)) {
    problems.push({
      path: 'variables',
      message: `must declare ${USER_EMAIL_VARIABLE} (the recipient's address)`,
    });
  }
  return out;
}

function checkReferences(
  file: TemplateFile,
  variables: readonly VariableDeclaration[],
  problems: TemplateProblem[],
): void {
  const byName = new Map(variables.map((v) => [v.Name, v]));
  const families = new Set(file.fonts.map((f) => f.family));
  file.fontFallbacks.forEach((family, index) => {
    if (!families.has(family))
      problems.push({
        path: `fontFallbacks[${index}]`,
        message: `font "${family}" is not declared in fonts`,
      });
  });
  const totalFrames = file.scenes.reduce((sum, scene) => sum + sceneFrames(scene, file.output.fps), 0);
  if (file.output.coverFrame >= totalFrames) {
    problems.push({
      path: 'output.coverFrame',
      message: `must be < ${totalFrames} (the video's frame count)`,
    });
  }

  file.scenes.forEach((scene, sceneIndex) => {
    scene.layers.forEach((layer, layerIndex) => {
      const at = `scenes[${sceneIndex}].layers[${layerIndex}]`;
      const end = layer.end ?? scene.duration;
      if (end > scene.duration + 1e-9)
        problems.push({ path: `${at}.end`, message: `must be <= the scene's duration (${scene.duration})` });
      if (layer.start >= end) problems.push({ path: `${at}.start`, message: `must be < end (${end})` });
      const visible = end - layer.start;
      const animated = (layer.in?.duration ?? 0) + (layer.out?.duration ?? 0);
      if (animated > visible + 1e-9) {
        problems.push({
          path: `${at}.in`,
          message: `in and out animations (${animated}s) must fit in the layer's ${visible}s`,
        });
      }
      const expectKind = (name: string | undefined, kinds: VariableDeclaration['kind'][], field: string) => {
        if (name === undefined) return;
        const declared = byName.get(name);
        if (declared === undefined)
          problems.push({ path: `${at}.${field}`, message: `variable "${name}" is not declared` });
        else if (!kinds.includes(declared.kind)) {
          problems.push({
            path: `${at}.${field}`,
            message: `variable "${name}" is a ${declared.kind} variable, expected ${kinds.join(' or ')}`,
          });
        }
      };
      switch (layer.type) {
        case 'text':
          if (!families.has(layer.style.font))
            problems.push({
              path: `${at}.style.font`,
              message: `font "${layer.style.font}" is not declared in fonts`,
            });
          for (const name of placeholders(layer.text)) expectKind(name, ['text', 'map'], 'text');
          break;
        case 'image':
        case 'video':
          if ((layer.src === undefined) === (layer.variable === undefined)) {
            problems.push({ path: at, message: 'must set exactly one of "src" and "variable"' });
          }
          expectKind(layer.variable, [layer.type], 'variable');
          break;
        case 'map':
          expectKind(layer.variable, ['map'], 'variable');
          break;
      }
    });
  });
}

/** Lists every file the template names, with the JSON path that names it. */
function referencedFiles(file: TemplateFile, variables: readonly VariableDeclaration[]): Map<string, string> {
  const files = new Map<string, string>();
  const add = (relative: string, at: string) => {
    if (!files.has(relative)) files.set(relative, at);
  };
  file.fonts.forEach((font, i) => add(font.file, `fonts[${i}].file`));
  if (file.soundtrack) add(file.soundtrack.file, 'soundtrack.file');
  variables.forEach((v, i) => {
    if (v.kind === 'map') add(v.Map.DefaultImage, `variables[${i}].Map.DefaultImage`);
    if (v.kind === 'video') add(v.DefaultValue, `variables[${i}].DefaultValue`);
    if (v.kind === 'image') {
      for (const [key, choice] of Object.entries(v.PredefinedChoices ?? {}))
        add(choice, `variables[${i}].PredefinedChoices.${key}`);
      if (!Object.hasOwn(v.PredefinedChoices ?? {}, v.DefaultValue))
        add(v.DefaultValue, `variables[${i}].DefaultValue`);
    }
  });
  file.scenes.forEach((scene, s) => {
    const bg = scene.background;
    if ('image' in bg) add(bg.image, `scenes[${s}].background.image`);
    if ('video' in bg) add(bg.video, `scenes[${s}].background.video`);
    scene.layers.forEach((layer, l) => {
      if ((layer.type === 'image' || layer.type === 'video') && layer.src !== undefined) {
        add(layer.src, `scenes[${s}].layers[${l}].src`);
      }
    });
  });
  return files;
}

async function checkFiles(
  dir: string,
  files: Map<string, string>,
  problems: TemplateProblem[],
): Promise<void> {
  await Promise.all(
    [...files].map(async ([relative, at]) => {
      try {
        const info = await stat(path.join(dir, relative));
        if (!info.isFile()) problems.push({ path: at, message: `"${relative}" is not a file` });
      } catch {
        problems.push({ path: at, message: `file "${relative}" not found in the template folder` });
      }
    }),
  );
}

async function hashTemplate(json: unknown, dir: string, files: Map<string, string>): Promise<string> {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(json));
  for (const relative of [...files.keys()].sort()) {
    hash.update(`\0${relative}\0`);
    hash.update(await readFile(path.join(dir, relative)));
  }
  return hash.digest('hex').slice(0, 16);
}

function invalid(problems: TemplateProblem[], file: string): VidataError {
  const list = problems.map((p) => `${p.path}: ${p.message}`).join('\n');
  return new VidataError('TEMPLATE_INVALID', `Invalid template ${file}:\n${list}`, {
    field: problems[0]?.path,
    details: problems,
  });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
