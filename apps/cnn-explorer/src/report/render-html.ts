// The walkthrough's HTML report: sections of lecture captions, pictures and tables, as one self-contained page
// (pictures are files beside it, linked relatively, so the folder can be moved or zipped).

export interface ReportFigure {
  /** Path relative to the report's folder. */
  src: string;
  caption: string;
}

export interface ReportSection {
  heading: string;
  /** Paragraphs of plain text (escaped). */
  text: string[];
  figures?: ReportFigure[];
  /** Monospaced blocks (tables). */
  pre?: string[];
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function renderReport(title: string, sections: ReportSection[], footer = ''): string {
  const body = sections
    .map((s) => {
      const paras = s.text.map((t) => `<p>${escapeHtml(t)}</p>`).join('\n');
      const pres = (s.pre ?? []).map((p) => `<pre>${escapeHtml(p)}</pre>`).join('\n');
      const figs = (s.figures ?? [])
        .map(
          (f) =>
            `<figure><img src="${escapeHtml(encodeURI(f.src))}" alt="${escapeHtml(f.caption)}"><figcaption>${escapeHtml(f.caption)}</figcaption></figure>`,
        )
        .join('\n');
      return `<section>\n<h2>${escapeHtml(s.heading)}</h2>\n${paras}\n${pres}\n${figs}\n</section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.8em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
pre{background:#f6f6f6;padding:.8em;overflow-x:auto;font-size:13px}
figure{margin:1em 0}img{max-width:100%;image-rendering:pixelated;border:1px solid #eee}
figcaption{color:#555;font-size:.9em}footer{margin-top:3em;color:#777;font-size:.85em}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
${body}
<footer>${escapeHtml(footer)}</footer>
</body></html>
`;
}
