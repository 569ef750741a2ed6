// One entry of `alerting.receivers`: a name and its integrations, in Alertmanager's keys.
import { z } from 'zod';
import { obj } from '../schema-kit.js';

export const receiverSchema = obj({
  name: z.string().min(1),
});

export type ReceiverConfig = z.output<typeof receiverSchema>;
