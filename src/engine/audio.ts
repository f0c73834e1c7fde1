/**
 * The soundtrack, encoded once for the whole video: the template's music (volume, fades, silence
 * after it ends) or silence when there is none, with the sound of `KeepAudio` clips mixed over it.
 * Encoding it in one piece avoids the gaps and overlaps that joined audio chunks have at each join.
 */
import path from 'node:path';
import { num } from './animation.ts';
import { runFfmpeg } from './ffmpeg.ts';
import type { AudioPlan } from './plan.ts';
import type { EncoderSettings } from './codec.ts';
import type { FfmpegTools } from './types.ts';
import type { Workspace } from './workspace.ts';

export interface AudioContext {
  audio: AudioPlan;
  /** Seconds of the whole video. */
  duration: number;
  encoder: EncoderSettings;
  ffmpeg: FfmpegTools;
  workspace: Workspace;
}

/** Encodes the soundtrack to an AAC file of exactly `duration` seconds; returns its path. */
export async function encodeAudio(context: AudioContext): Promise<string> {
  const { audio, duration, encoder } = context;
  const { sampleRate, channels } = encoder.audio;
  const layout = channels === 1 ? 'mono' : 'stereo';
  // Every input is brought to the same rate and layout before mixing.
  const normalize = `aresample=${sampleRate},aformat=sample_fmts=fltp:channel_layouts=${layout}`;
  const inputArgs: string[] = [];
  const chains: string[] = [];

  if (audio.soundtrack) {
    const { file, volume, fadeIn, fadeOut } = audio.soundtrack;
    inputArgs.push('-i', path.resolve(file));
    const fades = [
      ...(fadeIn > 0 ? [`afade=t=in:st=0:d=${num(fadeIn)}`] : []),
      ...(fadeOut > 0 ? [`afade=t=out:st=${num(Math.max(0, duration - fadeOut))}:d=${num(fadeOut)}`] : []),
    ];
    // apad continues with silence when the music is shorter than the video; atrim cuts it to length.
    const filters = [normalize, `volume=${num(volume)}`, 'apad', `atrim=0:${num(duration)}`, ...fades];
    chains.push(`[0:a]${filters.join(',')}[main]`);
  } else {
    inputArgs.push('-f', 'lavfi', '-i', `anullsrc=r=${sampleRate}:cl=${layout}`);
    chains.push(`[0:a]atrim=0:${num(duration)}[main]`);
  }

  audio.clips.forEach((clip, index) => {
    inputArgs.push(...(clip.loop ? ['-stream_loop', '-1'] : []), '-i', path.resolve(clip.file));
    const delay = Math.round(clip.at * 1000);
    const filters = [
      normalize,
      `atrim=0:${num(clip.duration)}`,
      'asetpts=PTS-STARTPTS',
      `adelay=${delay}|${delay}`,
      // Every input lasts as long as the music, so amix divides by the same count all along.
      'apad',
    ];
    chains.push(`[${index + 1}:a]${filters.join(',')}[clip${index}]`);
  });

  let output = 'main';
  if (audio.clips.length > 0) {
    const inputs = ['main', ...audio.clips.map((_, i) => `clip${i}`)];
    // amix divides each input by the number of inputs; volume restores the sources' own levels.
    chains.push(
      `${inputs.map((l) => `[${l}]`).join('')}amix=inputs=${inputs.length}:duration=first:dropout_transition=0,volume=${inputs.length}[mix]`,
    );
    output = 'mix';
  }

  const file = context.workspace.file('audio.m4a');
  await runFfmpeg(context.ffmpeg, {
    args: [
      ...inputArgs,
      '-filter_complex',
      chains.join(';'),
      '-map',
      `[${output}]`,
      '-c:a',
      encoder.audio.codec,
      '-b:a',
      encoder.audio.bitrate,
      '-ar',
      String(sampleRate),
      '-ac',
      String(channels),
      '-t',
      num(duration),
      file,
    ],
    signal: context.workspace.signal,
  });
  return file;
}
