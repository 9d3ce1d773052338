/**
 * appTemplates: one synthesis per jest run and options, then copies from the run's cache directory; each call its
 * own copy, so removing one never touches another's.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { appTemplates, removeApp } from './app';
import { TEST_CACHE_DIR_VARIABLE } from './esbuild-cache';

describe('appTemplates', () => {
  it('synthesizes once per options and serves later calls from the cache, each in a copy of its own', () => {
    const cacheRoot = process.env[TEST_CACHE_DIR_VARIABLE];
    expect(cacheRoot).toBeDefined(); // jest's global setup made it
    const options = { context: { alarmEmail: 'cache-probe@example.com' } };
    const first = appTemplates(options);
    const second = appTemplates(options);
    try {
      expect(second.outdir).not.toBe(first.outdir);
      expect(second.productTemplate.toJSON()).toEqual(first.productTemplate.toJSON());
      expect(second.templateFiles).toHaveLength(3);

      // The later call read the cache: a change there shows up in the next copy (and in no earlier one).
      const entries = fs.readdirSync(path.join(cacheRoot as string, 'app-templates'));
      const entry = entries.find((name) =>
        fs
          .readFileSync(path.join(cacheRoot as string, 'app-templates', name, 'product.template.json'), 'utf8')
          .includes('cache-probe@example.com'),
      );
      expect(entry).toBeDefined();
      const cachedProduct = path.join(cacheRoot as string, 'app-templates', entry as string, 'product.template.json');
      const original = fs.readFileSync(cachedProduct, 'utf8');
      fs.writeFileSync(cachedProduct, JSON.stringify({ ...JSON.parse(original), Description: 'from the cache' }));
      const third = appTemplates(options);
      try {
        expect(third.productTemplate.toJSON()).toMatchObject({ Description: 'from the cache' });
        expect(second.productTemplate.toJSON()).not.toMatchObject({ Description: 'from the cache' });
      } finally {
        fs.writeFileSync(cachedProduct, original);
        removeApp(third);
      }

      // Other options: another entry, another template.
      const other = appTemplates({ context: { alarmEmail: 'other-probe@example.com' } });
      try {
        expect(JSON.stringify(other.productTemplate.toJSON())).toContain('other-probe@example.com');
      } finally {
        removeApp(other);
      }
    } finally {
      removeApp(first);
      expect(fs.existsSync(second.templateFiles[1] as string)).toBe(true); // removing one copy leaves the others
      removeApp(second);
    }
  });
});
