import { localDateSchema, optionalLocalDate } from './local-date-schema';

describe('dates as the API and the forms take them', () => {
  it('takes real dates and refuses others with one clear reason, never throwing', () => {
    expect(localDateSchema.parse('2028-02-29')).toBe('2028-02-29');
    const reasons = (value: unknown) => {
      const result = localDateSchema.safeParse(value);
      return result.success ? [] : result.error.issues.map((issue) => issue.message);
    };
    expect(reasons('2026-02-30')).toEqual(['is not a real date']);
    expect(reasons('2026-13-01')).toEqual(['is not a real date']);
    expect(reasons('tomorrow')).toEqual(['must be a date, YYYY-MM-DD']);
    expect(reasons('')).toEqual(['must be a date, YYYY-MM-DD']);
    expect(reasons('9999-99-99')).toEqual(['is not a real date']);
    expect(reasons(20261130)).toHaveLength(1);
  });

  it('reads an empty form field as not given', () => {
    expect(optionalLocalDate.parse('')).toBeUndefined();
    expect(optionalLocalDate.parse(undefined)).toBeUndefined();
    expect(optionalLocalDate.parse('2026-11-30')).toBe('2026-11-30');
  });
});
