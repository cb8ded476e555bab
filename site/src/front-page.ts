// The front page: one card per demo, a picture and a sentence each, linking to the demo's page.
import type { Demo } from './demos.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function frontPage(demos: readonly Demo[]): string {
  const cards = demos
    .map(
      (d) => `
    <a class="card" href="${d.app}/">
      <img src="pictures/${d.app}.png" alt="${escapeHtml(d.title)}: the page" loading="lazy">
      <h2>${escapeHtml(d.title)}</h2>
      <p>${escapeHtml(d.sentence)}</p>
    </a>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cnn-lab</title>
<style>
  :root { color-scheme: light dark; --fg: #1d1d1f; --muted: #5f6368; --card: #fff; --bg: #f4f5f7; --accent: #1a73e8; }
  @media (prefers-color-scheme: dark) { :root { --fg: #e8eaed; --muted: #9aa0a6; --card: #202124; --bg: #17181a; } }
  body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
  header, main, footer { max-width: 1100px; margin: 0 auto; padding: 0 16px; }
  header h1 { margin: 32px 0 4px; font-size: 28px; }
  header p { margin: 0 0 24px; color: var(--muted); }
  main { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 16px; }
  .card { display: block; background: var(--card); border-radius: 12px; overflow: hidden; color: inherit;
          text-decoration: none; box-shadow: 0 1px 3px rgba(0,0,0,.15); transition: transform .1s; }
  .card:hover, .card:focus { transform: translateY(-2px); outline: 2px solid var(--accent); }
  .card img { width: 100%; aspect-ratio: 16 / 10; object-fit: cover; object-position: top; display: block;
              background: #ccc; }
  .card h2 { margin: 12px 16px 4px; font-size: 18px; }
  .card p { margin: 0 16px 16px; color: var(--muted); font-size: 14px; }
  footer { color: var(--muted); font-size: 13px; padding: 24px 16px 40px; }
</style>
</head>
<body>
<header>
  <h1>cnn-lab</h1>
  <p>Convolutional networks you can train, run and look inside, in JavaScript. Four demos, each a lecture idea on real data.</p>
</header>
<main>${cards}
</main>
<footer>Everything runs on this machine: the models answer from this server, nothing leaves it.</footer>
</body>
</html>
`;
}
