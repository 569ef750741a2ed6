import { describe, expect, it } from 'vitest';
import { APP_NAME_MAX, appNameProblem, isDnsLabel } from './app-name.js';

describe('app names', () => {
  it('accepts short lower-case names that start with a letter', () => {
    for (const name of ['blog', 'my-blog', 'b2', 'a'.repeat(APP_NAME_MAX)])
      expect(appNameProblem(name)).toBeUndefined();
  });

  it('suggests a usable name for upper case and spaces', () => {
    expect(appNameProblem('My Blog')).toBe(
      '"My Blog" may only contain lower-case letters, digits and "-"; try "my-blog"',
    );
    expect(appNameProblem('shop_front')).toContain('try "shop-front"');
  });

  it('explains a leading digit, a trailing dash and a name that is too long', () => {
    expect(appNameProblem('2blog')).toBe('"2blog" must start with a letter (a–z)');
    expect(appNameProblem('blog-')).toBe('"blog-" must end with a letter or digit');
    expect(appNameProblem('a'.repeat(APP_NAME_MAX + 1))).toContain(`the limit is ${APP_NAME_MAX}`);
    expect(appNameProblem('')).toBe('the name is empty');
  });

  it('tells namespace names (DNS-1123 labels) apart', () => {
    expect(isDnsLabel('team-a')).toBe(true);
    expect(isDnsLabel('1team')).toBe(true);
    expect(isDnsLabel('Team')).toBe(false);
    expect(isDnsLabel('a'.repeat(64))).toBe(false);
  });
});
