import { describe, expect, it } from 'vitest';
import { validateConfig, SETTINGS } from '../../src/gan/config';
import { DEFAULT_SETTINGS, matchingPreset, trainerConfig, type PageSettings } from '../../src/ui/state/settings';
import { parseSettings, readSetting, serializeSettings } from '../../src/ui/state/url-state';

describe('settings in the URL', () => {
  it('round-trips every setting through the query string', () => {
    const custom: PageSettings = {
      ...DEFAULT_SETTINGS,
      variants: ['sn', 'clip', 'wgan-gp'],
      data: 'grid25',
      mlpWidth: 32,
      mlpDepth: 3,
      noiseDim: 4,
      cnnWidth: 0.5,
      loss: 'hinge',
      lr: 0.0005,
      beta1: 0.3,
      beta2: 0.95,
      nDis: 2,
      batch: 64,
      snRounds: 2,
      snWarmup: 5,
      clip: 0.02,
      orthoBeta: 0.001,
      gpLambda: 5,
      seed: 42,
      statsEvery: 7,
      spectraEvery: 70,
      speed: 0,
      arrows: true,
      heatmap: false,
      autoplay: true,
      hidden: ['hyper', 'seed'],
    };
    const query = serializeSettings(custom);
    expect(query).toContain('variants=sn,clip,wgan-gp');
    expect(query).toContain('cnn=1/2');
    expect(query).toContain('speed=max');
    const { settings, notices } = parseSettings(`?${query}`);
    expect(notices).toEqual([]);
    expect(settings).toEqual(custom);
  });

  it('reads the defaults from an empty query, and writes every run setting (a link reproduces the run)', () => {
    const { settings, notices } = parseSettings('');
    expect(settings).toEqual(DEFAULT_SETTINGS);
    expect(notices).toEqual([]);
    const keys = [...new URLSearchParams(serializeSettings(settings)).keys()];
    for (const k of ['variants', 'data', 'lr', 'b1', 'b2', 'ndis', 'batch', 'loss', 'ip', 'warmup', 'seed']) {
      expect(keys).toContain(k);
    }
    // Display-only defaults stay out of the link.
    expect(keys).not.toContain('hide');
    expect(keys).not.toContain('play');
  });

  it('falls back to the default with a notice for each invalid value, keeping the valid ones', () => {
    const { settings, notices } = parseSettings(
      '?batch=abc&lr=-1&variants=sn,bogus&cnn=1/3&b1=1&seed=2.5&speed=7&hide=hyper,nope&frobnicate=1&ndis=3',
    );
    expect(settings.batch).toBe(DEFAULT_SETTINGS.batch);
    expect(settings.lr).toBe(DEFAULT_SETTINGS.lr);
    expect(settings.variants).toEqual(DEFAULT_SETTINGS.variants);
    expect(settings.cnnWidth).toBe(DEFAULT_SETTINGS.cnnWidth);
    expect(settings.beta1).toBe(DEFAULT_SETTINGS.beta1);
    expect(settings.seed).toBe(DEFAULT_SETTINGS.seed);
    expect(settings.speed).toBe(DEFAULT_SETTINGS.speed);
    expect(settings.hidden).toEqual([]);
    expect(settings.nDis).toBe(3);
    const keys = notices.map((n) => n.key);
    expect(new Set(keys)).toEqual(
      new Set(['variants', 'cnn', 'lr', 'b1', 'batch', 'seed', 'speed', 'hide', 'frobnicate']),
    );
    expect(notices.find((n) => n.key === 'batch')!.message).toMatch(/batch=abc .*using the default \(128\)/);
    expect(notices.find((n) => n.key === 'variants')!.message).toMatch(/unknown bogus/);
    expect(notices.find((n) => n.key === 'frobnicate')!.message).toMatch(/not a setting/);
  });

  it('rejects empty lists, duplicates and out-of-range numbers', () => {
    expect(parseSettings('?variants=').notices[0].message).toMatch(/at least one/);
    expect(parseSettings('?variants=sn,sn').notices[0].message).toMatch(/twice/);
    expect(parseSettings('?batch=0').notices[0].message).toMatch(/integer from 1 to 1024/);
    expect(parseSettings('?lr=0').notices[0].message).toMatch(/above 0/);
    expect(parseSettings('?lr=NaN').settings.lr).toBe(DEFAULT_SETTINGS.lr);
    expect(parseSettings('?lr=').notices.length).toBe(1);
  });

  it('applies a preset from set=, with individual values overriding it', () => {
    const { settings } = parseSettings('?set=E&ndis=2');
    expect(settings).toMatchObject({ lr: SETTINGS.E.lr, beta1: SETTINGS.E.beta1, beta2: SETTINGS.E.beta2, nDis: 2 });
    expect(matchingPreset(settings)).toBeNull();
    expect(matchingPreset(parseSettings('?set=f').settings)).toBe('F');
    expect(parseSettings('?set=Z').notices[0].message).toMatch(/A–F/);
  });

  it('caps image batches and produces configurations the trainer accepts', () => {
    const { settings, notices } = parseSettings('?data=mnist&batch=1000');
    expect(settings.batch).toBe(64);
    expect(notices[0].key).toBe('batch');
    expect(() => validateConfig(trainerConfig(settings))).not.toThrow();
    expect(() => validateConfig(trainerConfig(DEFAULT_SETTINGS))).not.toThrow();
    expect(trainerConfig(settings).model.kind).toBe('cnn');
  });

  it('checks typed control values with the URL rules', () => {
    expect(readSetting('lr', '0.001')).toEqual({ value: 0.001 });
    expect(readSetting('lr', 'fast')).toHaveProperty('error');
    expect(readSetting('mlpWidth', '48')).toHaveProperty('error');
    expect(readSetting('mlpWidth', '128')).toEqual({ value: 128 });
  });
});
