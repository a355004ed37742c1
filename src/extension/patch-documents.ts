// Which documents the extension analyses: the diff language (.patch/.diff), our mail language
// (.eml/.mbox, mbox and format-patch first lines), and untitled plain-text documents whose
// first lines look like a patch or a patch mail (pasted from a mail client).
import type { TextDocument } from 'vscode';
import { looksLikePatch } from './patch-sniff';

export const PATCH_LANGUAGES = ['diff', 'kernel-patch-mail'] as const;

export function isPatchDocument(doc: Pick<TextDocument, 'languageId' | 'uri' | 'lineCount' | 'lineAt'>): boolean {
  if ((PATCH_LANGUAGES as readonly string[]).includes(doc.languageId)) return true;
  if (doc.uri.scheme !== 'untitled' || doc.languageId !== 'plaintext') return false;
  const head: string[] = [];
  for (let i = 0; i < Math.min(doc.lineCount, 200); i++) head.push(doc.lineAt(i).text);
  return looksLikePatch(head);
}
