import { ESBUILD } from '../../bench/support';
import { FUNCTION_BUNDLING, FUNCTION_EXTERNAL_MODULES } from '../../lib/constructs/monitored-function';

describe('benchmarks bundle as MonitoredFunction deploys', () => {
  it('uses the functions’ bundling options and leaves the AWS SDK out, as NodejsFunction does', () => {
    expect(ESBUILD).toMatchObject({
      bundle: true,
      platform: 'node',
      minify: FUNCTION_BUNDLING.minify,
      target: FUNCTION_BUNDLING.target,
      format: FUNCTION_BUNDLING.format,
      mainFields: [...FUNCTION_BUNDLING.mainFields],
      external: [...FUNCTION_EXTERNAL_MODULES],
    });
    expect(FUNCTION_BUNDLING.target).toBe('node24');
  });
});
