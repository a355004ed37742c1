// callsByName (src/rules/calls-by-name.ts) finds calls where the source spells a callee's name;
// MM010 uses it instead of walking every call. It must give exactly the calls findCalls gives
// for those names: the spellings below are the ones a text search could get wrong (comments,
// strings, longer words, field and parenthesised callees, spaces and comments before the
// arguments, nested and broken calls, windows cut mid-statement).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initC, parseHunk, findCalls } from '../../src/c/index';
import { readPatchSet } from '../../src/patch/index';
import { callsByName } from '../../src/rules/calls-by-name';
import { diff } from './rules-helpers';

const PIN_WORDS = /\b(?:get|pin)_user_pages\w*/g;
const PIN_NAME = /^(get|pin)_user_pages/;
const RELEASE_WORDS = /\b(?:put_page|release_pages|put_user_pages?|unpin_user_pages?(?:_dirty_lock)?|folio_put)\b/g;
const RELEASE_NAME = /^(put_page|release_pages|put_user_pages?|unpin_user_pages?(_dirty_lock)?|folio_put)$/;

const BODIES: string[][] = [
  ['+\tret = get_user_pages_fast(addr, n, FOLL_WRITE, pages);', '+\tput_page(pages[0]);'],
  ['+\t/* get_user_pages_fast(addr, n, 0, pages); */', '+\tpr_info("pin_user_pages(%d)", n);', '+\tret = my_get_user_pages_fast(addr);'],
  ['+\tret = get_user_pages_fast (addr, n, FOLL_WRITE, pages);', '+\tret = pin_user_pages /* why */ (addr, n, FOLL_LONGTERM, pages, NULL);'],
  ['+\tret = (get_user_pages_fast)(addr, n, 0, pages);', '+\tret = ops->get_user_pages(addr, n);', '+\tret = ctx.pin_user_pages_fast(addr);'],
  ['+\tret = get_user_pages_remote(mm, addr,', '+\t\tn, FOLL_WRITE,', '+\t\tpages, NULL);', '+\tunpin_user_pages_dirty_lock(pages, n, true);'],
  ['+\tret = foo(pin_user_pages_fast(addr, n, FOLL_WRITE, pages), get_user_pages(addr, n, 0, pages));', '+\tfolio_put(f); put_pages(p); release_pages(p, n);'],
  ['+\tret = get_user_pages_fast_only(addr, n, 0, pages', '+\tif (ret < 0) {', '+\t\tput_user_page(p);'],
  ['+\tret = get_user_pagesX(addr); get_user_pages_unlocked(addr, n, pages, 0);', '+#define get_user_pages_fast(a, b, c, d) 0', '+\tret = get_user_pages_fast(a, b, c, d);'],
  ['+\t}', '+\tret = pin_user_pages_fast(addr, n, FOLL_WRITE, pages);', '+\tput_page(p);'],
  ['+\tret = get_user_pages_fast(addr, n, FOLL_WRITE, pages)', '+\t\t?: pin_user_pages(addr, n, 0, pages, NULL);', '+\tif (x) unpin_user_page(p); else put_user_pages(p, n);'],
];

for (const [i, body] of BODIES.entries()) {
  test(`callsByName gives findCalls' calls for the pin and release names (${i}: ${body[0]!.trim()})`, async () => {
    await initC();
    const text = diff('drivers/misc/dev.c', 'static int dev_register(struct dev *d, unsigned long addr)', ['\tint ret;', ...body, '\treturn 0;']);
    const hunk = readPatchSet(text).patches.flatMap((p) => p.files).flatMap((f) => f.hunks)[0]!;
    for (const side of ['pre', 'post'] as const) {
      const fragment = parseHunk(hunk)[side];
      for (const [words, name] of [[PIN_WORDS, PIN_NAME], [RELEASE_WORDS, RELEASE_NAME]] as const) {
        const want = findCalls(fragment.scope, name).map((c) => ({ id: c.node.id, name: c.name, args: c.args.map((a) => a.id) }));
        const got = callsByName(fragment, words).map((c) => ({ id: c.node.id, name: c.name, args: c.args.map((a) => a.id) }));
        assert.deepEqual(got, want, `${side} ${name}`);
      }
    }
  });
}
