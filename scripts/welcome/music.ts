/**
 * Synthesizes the welcome template's soundtrack: a calm four-chord loop (Cmaj7, Am7, Fmaj7, G6) at
 * 96 beats per minute, with a pad, a bass, a plucked arpeggio with an echo and a soft beat. Samples
 * are computed here and written as 16-bit PCM WAV, then the bundled ffmpeg encodes AAC in `.m4a`.
 * The track is exactly the video's length and fades out over its last seconds.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { VIDEO_SECONDS, runFfmpeg, seededRandom, templatePath } from './common.ts';

const SAMPLE_RATE = 44100;
const BPM = 96;
const BEAT = 60 / BPM;
const BAR = 4 * BEAT;
const FADE_IN = 0.8;
const FADE_OUT = 3;

/** One chord per bar, as MIDI note numbers: four voicing notes, then the bass root. */
const PROGRESSION: { notes: number[]; root: number }[] = [
  { notes: [60, 64, 67, 71], root: 48 },
  { notes: [57, 60, 64, 67], root: 45 },
  { notes: [53, 57, 60, 64], root: 41 },
  { notes: [55, 59, 62, 64], root: 43 },
];

const ARPEGGIO_STEPS = [0, 1, 2, 3, 4, 3, 2, 1];

function frequency(midi: number): number {
  return 440 * 2 ** ((midi - 69) / 12);
}

/** Stereo sample buffers that every voice adds into. */
interface Mix {
  left: Float32Array;
  right: Float32Array;
}

function addSample(mix: Mix, index: number, value: number, pan: number): void {
  if (index < 0 || index >= mix.left.length) return;
  // Equal-power panning, pan from -1 (left) to 1 (right).
  const angle = ((pan + 1) * Math.PI) / 4;
  mix.left[index] = (mix.left[index] as number) + value * Math.cos(angle);
  mix.right[index] = (mix.right[index] as number) + value * Math.sin(angle);
}

/** Adds a sustained chord: two slightly detuned sines per note, with a slow attack and release. */
function addPad(mix: Mix, start: number, length: number, notes: number[]): void {
  const first = Math.round(start * SAMPLE_RATE);
  const count = Math.round((length + 0.6) * SAMPLE_RATE);
  for (let i = 0; i < count; i++) {
    const t = i / SAMPLE_RATE;
    const attack = Math.min(1, t / 0.5);
    const release = t > length ? Math.max(0, 1 - (t - length) / 0.6) : 1;
    const envelope = attack * release * 0.035;
    notes.forEach((note, n) => {
      const f = frequency(note);
      const a = Math.sin(2 * Math.PI * f * 0.998 * t + n);
      const b = Math.sin(2 * Math.PI * f * 1.002 * t + 2 * n);
      const overtone = 0.25 * Math.sin(2 * Math.PI * f * 2 * t);
      addSample(mix, first + i, envelope * (a + overtone), -0.4);
      addSample(mix, first + i, envelope * (b + overtone), 0.4);
    });
  }
}

/** Adds a plucked note: a sine with a little third harmonic and a fast exponential decay. */
function addPluck(mix: Mix, start: number, note: number, gain: number, pan: number): void {
  const first = Math.round(start * SAMPLE_RATE);
  const count = Math.round(0.9 * SAMPLE_RATE);
  const f = frequency(note);
  for (let i = 0; i < count; i++) {
    const t = i / SAMPLE_RATE;
    const envelope = Math.min(1, t / 0.004) * Math.exp(-t * 6);
    const wave = Math.sin(2 * Math.PI * f * t) + 0.18 * Math.sin(2 * Math.PI * 3 * f * t);
    addSample(mix, first + i, gain * envelope * wave, pan);
  }
}

function addBass(mix: Mix, start: number, note: number, length: number): void {
  const first = Math.round(start * SAMPLE_RATE);
  const count = Math.round(length * SAMPLE_RATE);
  const f = frequency(note);
  for (let i = 0; i < count; i++) {
    const t = i / SAMPLE_RATE;
    const envelope = Math.min(1, t / 0.01) * Math.exp(-t * 2.2) * Math.min(1, (length - t) / 0.05);
    const wave = Math.sin(2 * Math.PI * f * t) + 0.3 * Math.sin(2 * Math.PI * 2 * f * t);
    addSample(mix, first + i, 0.16 * envelope * wave, 0);
  }
}

/** Adds a soft kick: a sine sweeping from 110 Hz down to 45 Hz. */
function addKick(mix: Mix, start: number): void {
  const first = Math.round(start * SAMPLE_RATE);
  const count = Math.round(0.35 * SAMPLE_RATE);
  let phase = 0;
  for (let i = 0; i < count; i++) {
    const t = i / SAMPLE_RATE;
    const f = 45 + 65 * Math.exp(-t * 28);
    phase += (2 * Math.PI * f) / SAMPLE_RATE;
    addSample(mix, first + i, 0.3 * Math.exp(-t * 11) * Math.sin(phase), 0);
  }
}

/** Adds a burst of high-passed noise: a short closed hat, or with a slower decay a snap. */
function addNoise(
  mix: Mix,
  start: number,
  options: { decay: number; gain: number; pan: number; seed: number },
) {
  const random = seededRandom(options.seed);
  const first = Math.round(start * SAMPLE_RATE);
  const count = Math.round((5 / options.decay) * SAMPLE_RATE);
  let previous = 0;
  for (let i = 0; i < count; i++) {
    const t = i / SAMPLE_RATE;
    const white = random() * 2 - 1;
    // A first-order high-pass (difference of successive samples) removes the rumble.
    const high = white - previous;
    previous = white;
    addSample(mix, first + i, options.gain * Math.exp(-t * options.decay) * high, options.pan);
  }
}

/** Computes the whole track as two channels of floats. */
export function synthesize(seconds: number): Mix {
  const length = Math.round(seconds * SAMPLE_RATE);
  const mix: Mix = { left: new Float32Array(length), right: new Float32Array(length) };
  const bars = Math.ceil(seconds / BAR);
  for (let bar = 0; bar < bars; bar++) {
    const chord = PROGRESSION[bar % PROGRESSION.length] as (typeof PROGRESSION)[number];
    const at = bar * BAR;
    addPad(mix, at, BAR, chord.notes);
    if (bar >= 1) {
      addBass(mix, at, chord.root, BEAT * 2.5);
      addBass(mix, at + BEAT * 2.5, chord.root, BEAT * 1.5);
    }
    if (bar >= 2) {
      const tones = [...chord.notes, (chord.notes[0] as number) + 12];
      ARPEGGIO_STEPS.forEach((step, eighth) => {
        const note = (tones[step] as number) + 12;
        addPluck(mix, at + (eighth * BEAT) / 2, note, 0.075, eighth % 2 === 0 ? -0.5 : 0.5);
      });
    }
    for (let beat = 0; beat < 4; beat++) {
      const time = at + beat * BEAT;
      if (bar >= 1 && (beat === 0 || beat === 2)) addKick(mix, time);
      if (bar >= 2 && (beat === 1 || beat === 3))
        addNoise(mix, time, { decay: 28, gain: 0.05, pan: 0.1, seed: bar * 8 + beat });
      if (bar >= 1)
        addNoise(mix, time + BEAT / 2, { decay: 60, gain: 0.035, pan: 0.3, seed: 1000 + bar * 8 + beat });
    }
  }
  addEcho(mix);
  shape(mix, seconds);
  return mix;
}

/** Adds a stereo feedback delay of three eighth notes, crossing sides, for a sense of space. */
function addEcho(mix: Mix): void {
  const delay = Math.round(1.5 * BEAT * SAMPLE_RATE);
  const feedback = 0.28;
  for (let i = delay; i < mix.left.length; i++) {
    mix.left[i] = (mix.left[i] as number) + feedback * (mix.right[i - delay] as number);
    mix.right[i] = (mix.right[i] as number) + feedback * (mix.left[i - delay] as number);
  }
}

/** Applies the fades, a gentle saturation and scales the peak to 0.8 of full scale. */
function shape(mix: Mix, seconds: number): void {
  let peak = 0;
  for (const channel of [mix.left, mix.right]) {
    for (let i = 0; i < channel.length; i++) {
      const t = i / SAMPLE_RATE;
      const fade = Math.min(1, t / FADE_IN, (seconds - t) / FADE_OUT);
      const value = Math.tanh((channel[i] as number) * 1.2) * Math.max(0, fade);
      channel[i] = value;
      peak = Math.max(peak, Math.abs(value));
    }
  }
  const gain = peak > 0 ? 0.8 / peak : 1;
  for (const channel of [mix.left, mix.right]) {
    for (let i = 0; i < channel.length; i++) channel[i] = (channel[i] as number) * gain;
  }
}

/** Encodes the two channels as a 16-bit PCM WAV file. */
export function toWav(mix: Mix): Buffer {
  const frames = mix.left.length;
  const data = Buffer.alloc(frames * 4);
  for (let i = 0; i < frames; i++) {
    data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, mix.left[i] as number)) * 32767), i * 4);
    data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, mix.right[i] as number)) * 32767), i * 4 + 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // size of the fmt chunk
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(2, 22); // channels
  header.writeUInt32LE(SAMPLE_RATE, 24);
  header.writeUInt32LE(SAMPLE_RATE * 4, 28); // bytes per second
  header.writeUInt16LE(4, 32); // bytes per frame
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** Writes `audio/music.m4a`: the synthesized track encoded as AAC at 128 kb/s. */
export async function writeMusic(): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), 'vidata-welcome-music-'));
  try {
    const wav = path.join(work, 'music.wav');
    await writeFile(wav, toWav(synthesize(VIDEO_SECONDS)));
    await mkdir(templatePath('audio'), { recursive: true });
    await runFfmpeg({
      args: [
        '-i',
        wav,
        '-c:a',
        'aac',
        '-b:a',
        '128k',
        '-movflags',
        '+faststart',
        templatePath('audio/music.m4a'),
      ],
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
