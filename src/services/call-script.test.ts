import { scriptName } from './call-script';

describe('the call script a task calls for', () => {
  it.each([
    [{ level: 0, reason: 'find_email', reasons: ['find_email'] }, 'call_script_find_email'],
    // Nothing overdue at a level: no payment to ask for, whatever reason opened the task.
    [{ level: 0, reason: 'level', reasons: ['level', 'find_email'] }, 'call_script_find_email'],
    [{ level: 2, reason: 'find_email', reasons: ['find_email'] }, 'call_script_find_email'],
    // Money to ask for: the level's script.
    [{ level: 2, reason: 'find_email', reasons: ['find_email', 'level'] }, 'call_script_level_2'],
    [{ level: 1, reason: 'level', reasons: ['level'] }, 'call_script_level_1'],
    [{ level: 0, reason: 'level', reasons: ['level'] }, 'call_script_level_1'],
    [{ level: 4, reason: 'call_back', reasons: ['call_back'] }, 'call_script_level_4'],
    [{ level: 2, reason: 'broken_promise', reasons: ['broken_promise', 'find_email'] }, 'call_script_broken_promise'],
  ] as const)('%j → %s', (task, name) => {
    expect(scriptName({ ...task, reasons: [...task.reasons] })).toBe(name);
  });
});
