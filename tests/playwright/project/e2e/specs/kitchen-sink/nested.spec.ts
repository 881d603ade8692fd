import { expect, test } from '@playwright/test';

test.describe('Kitchen sink — nested', () => {
  test.describe('level 2 — describe', () => {
    test.describe('level 3 — describe', () => {
      test('steps, attachments and output', async ({}, testInfo) => {
        console.log('stdout line from the test');
        console.error('stderr line from the test');
        process.stdout.write('partial stdout without newline');
        await test.step('outer step', async () => {
          await test.step('inner step', async () => {
            expect(2 * 21).toBe(42);
          });
        });
        await testInfo.attach('backend-response.json', {
          body: JSON.stringify({ status: 'ok', symbols: ['SPX'] }),
          contentType: 'application/json',
        });
        await testInfo.attach('note', { body: 'plain text attachment — with an em dash', contentType: 'text/plain' });
      });
    });

    test('level 2 test passes', async () => {
      expect('brief').toContain('rie');
    });

    test('untrusted text: | pipes, `backticks`, <b>html</b> and workflow commands', async () => {
      // Report text must not become GitHub workflow commands or Markdown/HTML in a summary.
      console.log('::error file=injected.ts,line=1::workflow command injected from test stdout');
      console.log('::set-output name=result::PASS');
      console.error('::add-mask::not-a-secret');
      expect('<script>alert(1)</script> | `code`').toContain('|');
    });
  });
});
