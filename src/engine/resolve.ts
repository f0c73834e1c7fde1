/**
 * Resolve stage: turns the template and the validated values into every layer's concrete input:
 * text with its placeholders filled, the file of each image, map and clip, and the duration and
 * audio of each clip. Nothing is drawn or encoded here.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { VidataError } from '../errors.ts';
import { fillPlaceholders, type Template } from '../template/load.ts';
import type {
  Background,
  ImageLayer,
  MapLayer,
  MapVariable,
  Scene,
  TextLayer,
  VariableDeclaration,
  VideoLayer,
} from '../template/schema.ts';
import type { MediaSource } from '../template/values.ts';
import { clipColor, type ClipColor } from './color.ts';
import { firstStream, probeMedia } from './probe.ts';
import type { RenderRequest } from './types.ts';
import type { Workspace } from './workspace.ts';

export type Fit = 'cover' | 'contain';

/**
 * Probes of the clips that ship with a template, kept between renders: the template version hashes
 * every file the template uses, so a version's clip never changes. This saves each render an
 * ffprobe run per clip. Least recently used entries go first past the limit.
 */
const TEMPLATE_CLIP_PROBES = new Map<string, Promise<ClipInput>>();
const MAX_TEMPLATE_CLIP_PROBES = 256;

export interface ClipInput {
  file: string;
  /** Seconds, as ffprobe reads them. */
  duration: number;
  hasAudio: boolean;
  color: ClipColor;
}

export type ResolvedBackground =
  | { kind: 'color'; color: string }
  | { kind: 'image'; file: string; fit: Fit }
  | { kind: 'video'; clip: ClipInput; fit: Fit; offset: number; fill: 'loop' | 'freeze' };

export type ResolvedLayer =
  | { type: 'text'; layer: TextLayer; text: string }
  | { type: 'image'; layer: ImageLayer; file: string; fit: Fit; focalPoint?: { x: number; y: number } }
  /**
   * `file` draws the map the first time it is called, in the raster stage, so that the ffmpeg runs of
   * the segments drawn before it start first: drawing a map keeps the event loop busy for tens of
   * milliseconds. It rejects with ADDRESS_NOT_FOUND when the address cannot be placed.
   */
  | { type: 'map'; layer: MapLayer; file: () => Promise<string> }
  | {
      type: 'video';
      layer: VideoLayer;
      clip: ClipInput;
      fit: Fit;
      fill: 'loop' | 'freeze';
      keepAudio: boolean;
    };

export interface ResolvedScene {
  index: number;
  scene: Scene;
  background: ResolvedBackground;
  layers: ResolvedLayer[];
}

/** Everything the resolve stage needs from the render request. */
export type ResolveContext = Pick<RenderRequest, 'template' | 'values' | 'ffmpeg' | 'media' | 'maps'> & {
  workspace: Workspace;
};

export async function resolveInputs(context: ResolveContext): Promise<ResolvedScene[]> {
  const resolver = new Resolver(context);
  return Promise.all(
    context.template.scenes.map(async (scene, index) => ({
      index,
      scene,
      background: await resolver.background(scene.background, `scenes[${index}].background`),
      layers: await Promise.all(
        scene.layers.map((layer, l) => resolver.layer(layer, `scenes[${index}].layers[${l}]`)),
      ),
    })),
  );
}

class Resolver {
  readonly #context: ResolveContext;
  readonly #template: Template;
  readonly #variables: Map<string, VariableDeclaration>;
  /** One map drawing and one probe per file, however many layers use them. */
  readonly #maps = new Map<string, Promise<string>>();
  readonly #clips = new Map<string, Promise<ClipInput>>();

  constructor(context: ResolveContext) {
    this.#context = context;
    this.#template = context.template;
    this.#variables = new Map(context.template.variables.map((v) => [v.Name, v]));
  }

  async background(background: Background, field: string): Promise<ResolvedBackground> {
    if ('color' in background) return { kind: 'color', color: background.color };
    if ('image' in background) {
      return { kind: 'image', file: this.#templateFile(background.image), fit: background.fit };
    }
    return {
      kind: 'video',
      clip: await this.#templateClip(this.#templateFile(background.video), `${field}.video`),
      fit: background.fit,
      offset: background.offset,
      fill: background.fill,
    };
  }

  async layer(layer: Scene['layers'][number], field: string): Promise<ResolvedLayer> {
    switch (layer.type) {
      case 'text':
        return { type: 'text', layer, text: fillPlaceholders(layer.text, this.#context.values.texts) };
      case 'image':
        return this.#image(layer);
      case 'map':
        return { type: 'map', layer, file: () => this.#map(layer.variable) };
      case 'video':
        return this.#video(layer, field);
    }
  }

  async #image(layer: ImageLayer): Promise<ResolvedLayer> {
    if (layer.variable === undefined) {
      return { type: 'image', layer, file: this.#templateFile(layer.src ?? ''), fit: layer.fit ?? 'cover' };
    }
    const variable = this.#declared(layer.variable, 'image');
    const source = this.#context.values.images[layer.variable] ?? {
      kind: 'template' as const,
      path: variable.PredefinedChoices?.[variable.DefaultValue] ?? variable.DefaultValue,
    };
    const resolved: ResolvedLayer = {
      type: 'image',
      layer,
      file: await this.#mediaFile(source, 'image', layer.variable),
      fit: layer.fit ?? variable.Fit,
    };
    if (variable.FocalPoint) resolved.focalPoint = variable.FocalPoint;
    return resolved;
  }

  async #video(layer: VideoLayer, field: string): Promise<ResolvedLayer> {
    if (layer.variable === undefined) {
      const file = this.#templateFile(layer.src ?? '');
      const clip = await this.#templateClip(file, `${field}.src`);
      return { type: 'video', layer, clip, fit: layer.fit ?? 'cover', fill: 'freeze', keepAudio: false };
    }
    const variable = this.#declared(layer.variable, 'video');
    const source = this.#context.values.videos[layer.variable] ?? {
      kind: 'template' as const,
      path: variable.DefaultValue,
    };
    const file = await this.#mediaFile(source, 'video', layer.variable);
    return {
      type: 'video',
      layer,
      clip: await this.#clip(file, `variables.${layer.variable}`),
      fit: layer.fit ?? variable.Fit,
      fill: variable.Fill,
      keepAudio: variable.KeepAudio,
    };
  }

  /** Returns the map image of a TXT_MAP_ variable: drawn from its address, or its DefaultImage. */
  #map(name: string): Promise<string> {
    let file = this.#maps.get(name);
    if (file === undefined) {
      // Tracked, so that a failure elsewhere waits for this map's file before the folder is removed.
      file = this.#context.workspace.track(this.#drawMap(this.#declared(name, 'map')));
      this.#maps.set(name, file);
    }
    return file;
  }

  async #drawMap(variable: MapVariable): Promise<string> {
    const address = this.#context.values.texts[variable.Name]?.trim() ?? '';
    const maps = this.#context.maps;
    if (maps === undefined || address === '') return this.#templateFile(variable.Map.DefaultImage);
    // Named before the first await: maps drawn side by side must not share a file name.
    const file = this.#context.workspace.file(`map-${this.#maps.size}.png`);
    const png = await maps.renderMap({
      address,
      width: variable.Map.Width,
      height: variable.Map.Height,
      style: variable.Map.Style ?? {},
      signal: this.#context.workspace.signal,
    });
    await writeFile(file, png);
    return file;
  }

  /** Probes a clip of the template, or takes its probe from an earlier render of the same version. */
  #templateClip(file: string, field: string): Promise<ClipInput> {
    const key = `${this.#template.version}\0${this.#context.ffmpeg.ffprobe}\0${file}`;
    let clip = TEMPLATE_CLIP_PROBES.get(key);
    if (clip === undefined) {
      // Without the render's signal: other renders may wait for this probe, and a cancelled render
      // must not fail them. A probe of a template's clip takes a few tens of milliseconds.
      clip = this.#probeClip(file, field, undefined);
      // A failed probe is not kept: the next render reports its own error.
      clip.catch(() => TEMPLATE_CLIP_PROBES.delete(key));
    } else {
      TEMPLATE_CLIP_PROBES.delete(key);
    }
    TEMPLATE_CLIP_PROBES.set(key, clip);
    if (TEMPLATE_CLIP_PROBES.size > MAX_TEMPLATE_CLIP_PROBES) {
      TEMPLATE_CLIP_PROBES.delete(TEMPLATE_CLIP_PROBES.keys().next().value as string);
    }
    return clip;
  }

  #clip(file: string, field: string): Promise<ClipInput> {
    let clip = this.#clips.get(file);
    if (clip === undefined) {
      clip = this.#probeClip(file, field, this.#context.workspace.signal);
      this.#clips.set(file, clip);
    }
    return clip;
  }

  async #probeClip(file: string, field: string, signal: AbortSignal | undefined): Promise<ClipInput> {
    const info = await probeMedia(this.#context.ffmpeg, file, { signal, field });
    const video = firstStream(info, 'video');
    const duration = video?.duration ?? info.duration;
    if (video === undefined || !(duration > 0)) {
      throw new VidataError('VIDEO_INVALID', `The clip ${file} has no readable video stream.`, { field });
    }
    return { file, duration, hasAudio: firstStream(info, 'audio') !== undefined, color: clipColor(video) };
  }

  async #mediaFile(source: MediaSource, kind: 'image' | 'video', name: string): Promise<string> {
    switch (source.kind) {
      case 'template':
        return this.#templateFile(source.path);
      case 'file':
        return source.path;
      case 'upload': {
        const media = this.#context.media;
        if (media === undefined) {
          throw new VidataError(
            'INTERNAL',
            `Variable "${name}" names an upload, but the render was started without an upload reader.`,
            { field: `variables.${name}` },
          );
        }
        return media.resolveUpload(source.filename, kind);
      }
    }
  }

  #declared<K extends VariableDeclaration['kind']>(
    name: string,
    kind: K,
  ): Extract<VariableDeclaration, { kind: K }> {
    const variable = this.#variables.get(name);
    // loadTemplate has checked every reference, so a miss here is a bug, not bad input.
    if (variable?.kind !== kind)
      throw new VidataError('INTERNAL', `Variable "${name}" is not a ${kind} variable.`);
    return variable as Extract<VariableDeclaration, { kind: K }>;
  }

  #templateFile(relative: string): string {
    return path.join(this.#template.dir, relative);
  }
}
