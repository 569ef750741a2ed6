// The markup languages messages are written in (Telegram HTML and MarkdownV2, Slack mrkdwn,
// plain text): how each escapes text and spells bold, code blocks and links.

export type MarkupFormat = 'html' | 'markdownv2' | 'slack' | 'plain';

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
};

/** Escapes text for Telegram's HTML parse mode (the four entities Telegram names). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Escapes text for Slack mrkdwn: only `&`, `<` and `>` are control characters there. */
export function escapeSlack(text: string): string {
  return text.replace(/[&<>]/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Escapes text for Telegram's MarkdownV2: every reserved character gets a backslash. */
export function escapeMarkdownV2(text: string): string {
  return text.replace(/[_*[\]()~`>#+\-=|{}.!\\]/g, (c) => `\\${c}`);
}

/** Escapes text for the given format. */
export function escapeFor(format: MarkupFormat, text: string): string {
  switch (format) {
    case 'html':
      return escapeHtml(text);
    case 'slack':
      return escapeSlack(text);
    case 'markdownv2':
      return escapeMarkdownV2(text);
    case 'plain':
      return text;
  }
}

/** Bold text (escaped) in the given format. */
export function bold(format: MarkupFormat, text: string): string {
  const escaped = escapeFor(format, text);
  if (escaped === '') return '';
  switch (format) {
    case 'html':
      return `<b>${escaped}</b>`;
    case 'slack':
    case 'markdownv2':
      return `*${escaped}*`;
    case 'plain':
      return escaped;
  }
}

/** Inline code (escaped) in the given format. */
export function inlineCode(format: MarkupFormat, text: string): string {
  if (text === '') return '';
  switch (format) {
    case 'html':
      return `<code>${escapeHtml(text)}</code>`;
    case 'slack':
      // Slack has no escape for a backtick inside inline code; a lookalike keeps the span intact.
      return `\`${escapeSlack(text.replace(/`/g, 'ˋ'))}\``;
    case 'markdownv2':
      return `\`${text.replace(/[`\\]/g, (c) => `\\${c}`)}\``;
    case 'plain':
      return text;
  }
}

/** A preformatted block (logs, event lists), escaped, in the given format. */
export function codeBlock(format: MarkupFormat, text: string): string {
  const body = text.replace(/\s+$/, '');
  if (body === '') return '';
  switch (format) {
    case 'html':
      return `<pre>${escapeHtml(body)}</pre>`;
    case 'slack':
      // A ``` inside the text would end the block early; a lookalike keeps it readable.
      return `\`\`\`${escapeSlack(body.replace(/```/g, 'ˋˋˋ'))}\`\`\``;
    case 'markdownv2':
      return `\`\`\`\n${body.replace(/[`\\]/g, (c) => `\\${c}`)}\n\`\`\``;
    case 'plain':
      return body;
  }
}

/** A link with the given text, in the given format (plain text shows both). */
export function link(format: MarkupFormat, text: string, url: string): string {
  if (url === '') return escapeFor(format, text);
  switch (format) {
    case 'html':
      return `<a href="${escapeHtml(url)}">${escapeHtml(text || url)}</a>`;
    case 'slack':
      return `<${url.replace(/[<>|]/g, encodeURIComponent)}|${escapeSlack(text || url)}>`;
    case 'markdownv2':
      return `[${escapeMarkdownV2(text || url)}](${url.replace(/[)\\]/g, (c) => `\\${c}`)})`;
    case 'plain':
      return text ? `${text} (${url})` : url;
  }
}
