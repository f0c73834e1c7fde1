import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { audioFilterChain, colorFilters, fitGeometry, videoFilterChain } from '../../src/media/filters.ts';
import type { ClipInfo } from '../../src/media/probe.ts';

const SDR: ClipInfo = {
  container: 'iso-bmff',
  streamIndex: { video: 0, audio: 1 },
  codec: 'h264',
  width: 1920,
  height: 1080,
  sampleAspectRatio: 1,
  rotation: 0,
  displayWidth: 1920,
  displayHeight: 1080,
  fps: { avg: 30, r: 30 },
  isVfr: false,
  pixFmt: 'yuv420p',
  interlaced: false,
  bitDepth: 8,
  colorTransfer: 'bt709',
  colorPrimaries: 'bt709',
  colorSpace: 'bt709',
  colorRange: 'tv',
  hdr: undefined,
  hasAudio: true,
  audioSampleRate: 48_000,
  audioChannels: 2,
  duration: 3,
};

describe('fitGeometry', () => {
  it('covers by scaling up and cropping the centre', () => {
    // 16:9 into a square: the height decides, the sides are cut.
    assert.deepEqual(
      fitGeometry({ displayWidth: 1920, displayHeight: 1080 }, { width: 720, height: 720, fit: 'cover' }),
      {
        scaledWidth: 1280,
        scaledHeight: 720,
        mode: 'crop',
        x: 280,
        y: 0,
      },
    );
  });

  it('contains by scaling down and padding', () => {
    assert.deepEqual(
      fitGeometry({ displayWidth: 1920, displayHeight: 1080 }, { width: 720, height: 720, fit: 'contain' }),
      {
        scaledWidth: 720,
        scaledHeight: 406,
        mode: 'pad',
        x: 0,
        y: 156,
      },
    );
  });

  it('keeps sizes and offsets even', () => {
    for (const fit of ['cover', 'contain'] as const) {
      const geometry = fitGeometry({ displayWidth: 131, displayHeight: 75 }, { width: 100, height: 64, fit });
      for (const value of [geometry.scaledWidth, geometry.scaledHeight, geometry.x, geometry.y]) {
        assert.equal(value % 2, 0, `${fit}: ${JSON.stringify(geometry)}`);
      }
    }
  });

  it('never leaves a gap with cover', () => {
    for (const [w, h] of [
      [99, 75],
      [75, 99],
      [1080, 1920],
      [1919, 1081],
      [2, 1000],
    ] as const) {
      const geometry = fitGeometry(
        { displayWidth: w, displayHeight: h },
        { width: 64, height: 36, fit: 'cover' },
      );
      assert.ok(
        geometry.scaledWidth >= 64 && geometry.scaledHeight >= 36,
        `${w}x${h}: ${JSON.stringify(geometry)}`,
      );
      assert.ok(geometry.x + 64 <= geometry.scaledWidth && geometry.y + 36 <= geometry.scaledHeight);
    }
  });

  it('never overflows with contain', () => {
    for (const [w, h] of [
      [99, 75],
      [75, 99],
      [1080, 1920],
      [1919, 1081],
      [2, 1000],
    ] as const) {
      const geometry = fitGeometry(
        { displayWidth: w, displayHeight: h },
        { width: 64, height: 36, fit: 'contain' },
      );
      assert.ok(
        geometry.scaledWidth <= 64 && geometry.scaledHeight <= 36,
        `${w}x${h}: ${JSON.stringify(geometry)}`,
      );
      assert.ok(geometry.x + geometry.scaledWidth <= 64 && geometry.y + geometry.scaledHeight <= 36);
    }
  });
});

describe('colorFilters', () => {
  it('leaves SDR BT.709 to swscale', () => {
    assert.deepEqual(colorFilters(SDR, { width: 64, height: 36 }), []);
  });

  it('tone maps HLG through linear light', () => {
    const filters = colorFilters(
      { ...SDR, hdr: 'hlg', colorTransfer: 'arib-std-b67', colorPrimaries: 'bt2020', colorSpace: 'bt2020nc' },
      { width: 64, height: 36 },
    );
    assert.equal(
      filters[0],
      'zscale=w=64:h=36:filter=bicubic:tin=arib-std-b67:pin=bt2020:min=bt2020nc:rin=limited:t=linear:npl=100',
    );
    assert.ok(filters.includes('tonemap=tonemap=mobius:desat=0'));
    assert.equal(filters.at(-1), 'format=yuv420p');
  });

  it('passes only known colour names to zscale', () => {
    // ffprobe prints names from a fixed table, but a filter string is never built from unchecked text.
    const filters = colorFilters(
      {
        ...SDR,
        hdr: 'pq',
        colorTransfer: 'smpte2084',
        colorPrimaries: 'bt2020:w=9999',
        colorSpace: 'x,drawtext',
      },
      { width: 64, height: 36 },
    );
    assert.match(filters[0] ?? '', /pin=bt2020:min=bt2020nc:/);
    assert.doesNotMatch(filters.join(','), /9999|drawtext/);
  });

  it('converts wide-gamut SDR without tone mapping', () => {
    const filters = colorFilters(
      { ...SDR, colorPrimaries: 'bt2020', colorSpace: 'bt2020nc', colorTransfer: 'bt2020-10' },
      { width: 64, height: 36 },
    );
    assert.equal(filters.length, 2);
    assert.match(filters[0] ?? '', /tin=bt2020-10:pin=bt2020:min=bt2020nc:.*t=bt709:p=bt709:m=bt709/);
  });
});

describe('filter chains', () => {
  it('reads an untagged SD clip as BT.601', () => {
    const chain = videoFilterChain(
      { ...SDR, width: 640, height: 480, displayWidth: 640, displayHeight: 480, colorSpace: undefined },
      { width: 64, height: 48, fps: 25, fit: 'cover', frameCount: 25, padColor: '0x000000' },
    );
    assert.match(chain, /in_color_matrix=bt601:out_color_matrix=bt709/);
  });

  it('expands a full-range clip to limited range', () => {
    const chain = videoFilterChain(
      { ...SDR, colorRange: 'pc' },
      { width: 64, height: 36, fps: 25, fit: 'cover', frameCount: 25, padColor: '0x000000' },
    );
    assert.match(chain, /in_range=pc:out_range=tv/);
  });

  it('deinterlaces only interlaced clips', () => {
    const options = {
      width: 64,
      height: 36,
      fps: 25,
      fit: 'cover',
      frameCount: 25,
      padColor: '0x000000',
    } as const;
    assert.match(
      videoFilterChain({ ...SDR, interlaced: true }, options),
      /^yadif=mode=send_frame:deint=interlaced,fps=/,
    );
    assert.match(videoFilterChain(SDR, options), /^fps=/);
  });

  it('copies mono to both channels', () => {
    assert.match(audioFilterChain({ ...SDR, audioChannels: 1 }, 48_000), /^pan=stereo\|c0=c0\|c1=c0,/);
    assert.doesNotMatch(audioFilterChain(SDR, 48_000), /pan=/);
  });

  it('makes silence for a clip without audio', () => {
    assert.equal(
      audioFilterChain({ ...SDR, hasAudio: false }, 9600),
      'anullsrc=r=48000:cl=stereo,atrim=end_sample=9600',
    );
  });
});
