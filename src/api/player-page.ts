/**
 * The built-in landing page of a Vidata: the video with its cover as poster, in the project's
 * player colour, in English or French. Variable values never appear in the page: the only inserted
 * strings are ids, URLs built from ids and a validated colour, and each is escaped anyway.
 */

export type PageLanguage = 'en' | 'fr';

export interface PlayerPageInput {
  language: PageLanguage;
  status: 'queued' | 'rendering' | 'done' | 'failed';
  videoUrl: string;
  coverUrl: string;
  /** `#rrggbb`. */
  playerColor: string;
}

const TEXT = {
  en: {
    title: 'Your video',
    waiting: 'Your video is being prepared. This page refreshes on its own.',
    failed: 'This video could not be made.',
    download: 'Download the video',
    unsupported: 'Your browser cannot play this video.',
    notFound: 'This video does not exist or was deleted.',
  },
  fr: {
    title: 'Votre vidéo',
    waiting: 'Votre vidéo est en préparation. Cette page se met à jour toute seule.',
    failed: "Cette vidéo n'a pas pu être créée.",
    download: 'Télécharger la vidéo',
    unsupported: 'Votre navigateur ne peut pas lire cette vidéo.',
    notFound: "Cette vidéo n'existe pas ou a été supprimée.",
  },
} as const;

/** Chooses French when the browser prefers it to English, English otherwise. */
export function pageLanguage(acceptLanguage: string | undefined): PageLanguage {
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => /^q=([\d.]+)$/.exec(p.trim())?.[1]).find((v) => v !== undefined);
      return { tag, q: q === undefined ? 1 : Number(q) };
    })
    .filter((entry) => entry.tag !== '' && entry.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag === 'fr' || tag.startsWith('fr-')) return 'fr';
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
  }
  return 'en';
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * The Content-Security-Policy of the page: no script at all, media and images from this server only
 * (plus the empty data: icon that stops browsers from asking for /favicon.ico).
 */
export const PLAYER_PAGE_CSP =
  "default-src 'none'; media-src 'self'; img-src 'self' data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors *";

export function renderPlayerPage(input: PlayerPageInput): string {
  const text = TEXT[input.language];
  const color = /^#[0-9a-fA-F]{6}$/.test(input.playerColor) ? input.playerColor : '#2f6fed';
  let body: string;
  let refresh = '';
  if (input.status === 'done') {
    body = `<video id="player" controls playsinline preload="metadata" poster="${escapeHtml(input.coverUrl)}" src="${escapeHtml(input.videoUrl)}">${escapeHtml(text.unsupported)}</video>
    <p><a id="download" href="${escapeHtml(input.videoUrl)}" download>${escapeHtml(text.download)}</a></p>`;
  } else if (input.status === 'failed') {
    body = `<p id="message">${escapeHtml(text.failed)}</p>`;
  } else {
    refresh = '<meta http-equiv="refresh" content="5">';
    body = `<p id="message">${escapeHtml(text.waiting)}</p>`;
  }
  return page(input.language, text.title, color, body, refresh);
}

export function renderNotFoundPage(language: PageLanguage): string {
  const text = TEXT[language];
  return page(language, text.title, '#2f6fed', `<p id="message">${escapeHtml(text.notFound)}</p>`, '');
}

function page(language: PageLanguage, title: string, color: string, body: string, head: string): string {
  return `<!doctype html>
<html lang="${language}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="icon" href="data:,">
  ${head}
  <title>${escapeHtml(title)}</title>
  <style>
    :root { --player-color: ${color}; }
    body { margin: 0; min-height: 100vh; display: flex; flex-direction: column; align-items: center;
      justify-content: center; background: #111; color: #eee; font-family: system-ui, sans-serif; }
    main { width: min(960px, 100%); padding: 16px; box-sizing: border-box; }
    h1 { font-size: 1.4rem; border-bottom: 4px solid var(--player-color); padding-bottom: 8px; }
    video { width: 100%; background: #000; outline: 2px solid var(--player-color); accent-color: var(--player-color); }
    a { color: var(--player-color); }
  </style>
</head>
<body>
  <main>
    <h1>${escapeHtml(title)}</h1>
    ${body}
  </main>
</body>
</html>
`;
}
