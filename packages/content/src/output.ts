/** "What does this print?" answers are compared by the grading contract's one rule. */
export { normalizeTypedOutput, typedOutputMatches } from '@lms/grading';
