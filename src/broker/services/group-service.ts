/** Placeholder: the coordinator engineer defines GroupService and ProducerIdService here. */
export interface GroupService {
  readonly kind: 'group-service';
}
export interface ProducerIdService {
  readonly kind: 'producer-id-service';
}
