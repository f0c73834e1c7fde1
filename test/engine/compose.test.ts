import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { composeSegment } from '../../src/engine/compose.ts';
import type { Segment } from '../../src/engine/plan.ts';
import type { SegmentVisuals, Visual } from '../../src/engine/rasterize.ts';

const FORMAT = { width: 320, height: 180, fps: 25 };
const BT709 = { matrix: 'bt709', fullRange: false } as const;

function segmentOf(visuals: Visual[], background: SegmentVisuals['background']): SegmentVisuals {
  const segment = { index: 3, frames: 50, startFrame: 0, static: false, variables: [] } as unknown as Segment;
  return { segment, background, visuals };
}

const still = (file: string, z: Partial<Visual['timing']> = {}): Visual => ({
  kind: 'still',
  file,
  place: { x: 10, y: 20, width: 100, height: 40 },
  timing: { startFrame: 5, endFrame: 45, opacity: 1, ...z },
});

describe('composeSegment', () => {
  it('feeds a still layer as one frame repeated by the loop filter', () => {
    const composed = composeSegment(
      segmentOf([still('/tmp/w/layer0.png')], { kind: 'still', file: '/tmp/w/bg.png' }),
      FORMAT,
    );
    assert.deepEqual(composed.inputArgs, ['-i', '/tmp/w/bg.png', '-i', '/tmp/w/layer0.png']);
    assert.ok(!composed.inputArgs.includes('-loop'));
    assert.match(
      composed.filterGraph,
      /\[1:v\][^;]*format=yuva420p,loop=loop=39:size=1:start=0,settb=1\/25,setpts=N\[/,
    );
    // Shifted to its start frame, overlaid until its frames run out.
    assert.match(composed.filterGraph, /settb=1\/25,setpts=N\+5\[l0t\]/);
    assert.match(composed.filterGraph, /overlay=x='10':y='20':eval=init:eof_action=pass/);
  });

  it('converts images to BT.709 once, before repeating them', () => {
    const composed = composeSegment(segmentOf([still('/a.png')], { kind: 'still', file: '/bg.png' }), FORMAT);
    assert.match(
      composed.filterGraph,
      /^\[0:v\]scale=out_color_matrix=bt709:out_range=tv,format=yuv420p,loop=loop=49:size=1:start=0,/,
    );
    assert.match(
      composed.filterGraph,
      /\[1:v\]scale=out_color_matrix=bt709:out_range=tv,format=yuva420p,loop=/,
    );
  });

  it('keeps file paths out of the filter graph', () => {
    const file = "/tmp/it's;[0:v]drawtext=text=x/bg.png";
    const composed = composeSegment(
      segmentOf([still(file)], { kind: 'still', file: '/tmp/w/bg.png' }),
      FORMAT,
    );
    assert.ok(!composed.filterGraph.includes('drawtext'));
    assert.ok(!composed.filterGraph.includes('/tmp'));
    assert.deepEqual(composed.inputArgs, ['-i', '/tmp/w/bg.png', '-i', file]);
  });

  it('draws visuals in the given order', () => {
    const composed = composeSegment(
      segmentOf([still('/a.png'), still('/b.png')], { kind: 'still', file: '/tmp/w/bg.png' }),
      FORMAT,
    );
    assert.match(composed.filterGraph, /\[bg\]\[l0t\]overlay=.*\[v0\];.*\[v0\]\[l1t\]overlay=.*\[v1\]$/);
    assert.equal(composed.output, 'v1');
  });

  it('fades the alpha plane for fade animations', () => {
    const visual = still('/a.png', {
      in: { type: 'fade', duration: 0.4 },
      out: { type: 'fade', duration: 0.2 },
    });
    const composed = composeSegment(segmentOf([visual], { kind: 'still', file: '/tmp/w/bg.png' }), FORMAT);
    assert.match(composed.filterGraph, /fade=t=in:st=0\.2:d=0\.4:alpha=1,fade=t=out:st=1\.6:d=0\.2:alpha=1/);
  });

  it('moves the overlay per frame for slides', () => {
    const visual = still('/a.png', { in: { type: 'slide-left', duration: 0.4 } });
    const composed = composeSegment(segmentOf([visual], { kind: 'still', file: '/tmp/w/bg.png' }), FORMAT);
    assert.match(
      composed.filterGraph,
      /overlay=x='10\+100\*pow\(1-clip\(\(t-0\.2\)\/0\.4,0,1\),2\)':y='20':eval=frame/,
    );
  });

  it('draws each frame of a scale animation at its own size', () => {
    const visual = still('/a.png', { in: { type: 'scale', duration: 0.2 } });
    const composed = composeSegment(segmentOf([visual], { kind: 'still', file: '/tmp/w/bg.png' }), FORMAT);
    // 0.2 s at 25 fps: 5 scaled frames, then the 35 others unchanged.
    assert.match(composed.filterGraph, /split=6/);
    assert.match(composed.filterGraph, /trim=start_frame=5:end_frame=40/);
    assert.match(composed.filterGraph, /concat=n=6:v=1:a=0/);
  });

  it('loops or freezes a background clip', () => {
    const clip = { file: '/clips/a.mp4', duration: 1, hasAudio: false, color: BT709 };
    const looped = composeSegment(
      segmentOf([], { kind: 'video', clip, fit: 'cover', offset: 0.5, fill: 'loop' }),
      FORMAT,
    );
    assert.deepEqual(looped.inputArgs, [
      '-stream_loop',
      '-1',
      '-ss',
      '0.5',
      '-t',
      '2.04',
      '-i',
      '/clips/a.mp4',
    ]);
    const long = { file: '/clips/long.mp4', duration: 10, hasAudio: false, color: BT709 };
    const inside = composeSegment(
      segmentOf([], { kind: 'video', clip: long, fit: 'cover', offset: 5, fill: 'loop' }),
      FORMAT,
    );
    // 2 seconds from 5 s fit in a 10-second clip: no loop, which would slow the seek down.
    assert.deepEqual(inside.inputArgs, ['-ss', '5', '-t', '2.04', '-i', '/clips/long.mp4']);
    const frozen = composeSegment(
      segmentOf([], { kind: 'video', clip, fit: 'contain', offset: 0, fill: 'freeze' }),
      FORMAT,
    );
    assert.match(frozen.filterGraph, /pad=320:180:.*tpad=stop_mode=clone:stop=-1,trim=end_frame=50/);
  });
});
