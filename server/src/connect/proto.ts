/**
 * The subset of Spark Connect's protocol this client speaks, as a protobufjs JSON descriptor written here by hand
 * (not copied): message and field names and numbers match `spark/connect/{base,commands,relations,types}.proto` of Spark 4.3
 * (`sql/connect/common/src/main/protobuf/spark/connect/`). Fields not listed are skipped by protobuf's decoder, so a newer server
 * still decodes. Loaded with `@grpc/proto-loader`'s `fromJSON` (no .proto file to ship with the bundle).
 */

type Field = { id: number; type: string; rule?: 'repeated'; keyType?: string; options?: { proto3_optional: boolean } };
type Message = {
  fields: Record<string, Field>;
  oneofs?: Record<string, { oneof: string[] }>;
  nested?: Record<string, unknown>;
};

const f = (id: number, type: string): Field => ({ id, type });
const opt = (id: number, type: string): Field => ({ id, type, options: { proto3_optional: true } });
const rep = (id: number, type: string): Field => ({ id, type, rule: 'repeated' });
const map = (id: number, keyType: string, type: string): Field => ({ id, type, keyType });
/** A message whose fields are all members of one `oneof` named `name` (plus `extra` plain fields). */
function withOneof(
  name: string,
  members: Record<string, Field>,
  extra: Record<string, Field> = {},
  nested?: Record<string, unknown>,
): Message {
  return {
    fields: { ...extra, ...members },
    oneofs: { [name]: { oneof: Object.keys(members) } },
    ...(nested ? { nested } : {}),
  };
}
const msg = (fields: Record<string, Field>, nested?: Record<string, unknown>): Message =>
  nested ? { fields, nested } : { fields };
const empty = (): Message => ({ fields: {} });

/** Fields every request starts with (base.proto): session, the server-side session the client saw, user, client type. */
const requestHead = (observedId: number, clientTypeId: number) => ({
  session_id: f(1, 'string'),
  client_observed_server_side_session_id: opt(observedId, 'string'),
  user_context: f(2, 'UserContext'),
  client_type: opt(clientTypeId, 'string'),
});

const dataTypeLeaf = (): Message => msg({ type_variation_reference: f(1, 'uint32') });

const connect = {
  // ---- base.proto
  Plan: withOneof('op_type', { root: f(1, 'Relation'), command: f(2, 'Command') }),
  UserContext: msg({ user_id: f(1, 'string'), user_name: f(2, 'string') }),
  AnalyzePlanRequest: withOneof(
    'analyze',
    {
      schema: f(4, 'Schema'),
      explain: f(5, 'Explain'),
      input_files: f(9, 'InputFiles'),
      spark_version: f(10, 'SparkVersion'),
    },
    requestHead(17, 3),
    {
      Schema: msg({ plan: f(1, 'Plan') }),
      InputFiles: msg({ plan: f(1, 'Plan') }),
      Explain: msg(
        { plan: f(1, 'Plan'), explain_mode: f(2, 'ExplainMode') },
        {
          ExplainMode: {
            values: {
              EXPLAIN_MODE_UNSPECIFIED: 0,
              EXPLAIN_MODE_SIMPLE: 1,
              EXPLAIN_MODE_EXTENDED: 2,
              EXPLAIN_MODE_CODEGEN: 3,
              EXPLAIN_MODE_COST: 4,
              EXPLAIN_MODE_FORMATTED: 5,
            },
          },
        },
      ),
      SparkVersion: empty(),
    },
  ),
  AnalyzePlanResponse: withOneof(
    'result',
    {
      schema: f(2, 'Schema'),
      explain: f(3, 'Explain'),
      input_files: f(7, 'InputFiles'),
      spark_version: f(8, 'SparkVersion'),
    },
    { session_id: f(1, 'string'), server_side_session_id: f(15, 'string') },
    {
      Schema: msg({ schema: f(1, 'DataType') }),
      InputFiles: msg({ files: rep(1, 'string') }),
      Explain: msg({ explain_string: f(1, 'string') }),
      SparkVersion: msg({ version: f(1, 'string') }),
    },
  ),
  ExecutePlanRequest: msg(
    {
      ...requestHead(8, 4),
      operation_id: opt(6, 'string'),
      plan: f(3, 'Plan'),
      request_options: rep(5, 'RequestOption'),
      tags: rep(7, 'string'),
    },
    { RequestOption: withOneof('request_option', { reattach_options: f(1, 'ReattachOptions') }) },
  ),
  ExecutePlanResponse: withOneof(
    'response_type',
    {
      arrow_batch: f(2, 'ArrowBatch'),
      sql_command_result: f(5, 'SqlCommandResult'),
      result_complete: f(14, 'ResultComplete'),
      execution_progress: f(18, 'ExecutionProgress'),
    },
    {
      session_id: f(1, 'string'),
      server_side_session_id: f(15, 'string'),
      operation_id: f(12, 'string'),
      response_id: f(13, 'string'),
      schema: f(7, 'DataType'),
    },
    {
      SqlCommandResult: msg({ relation: f(1, 'Relation') }),
      ArrowBatch: msg({ row_count: f(1, 'int64'), data: f(2, 'bytes'), start_offset: opt(3, 'int64') }),
      ResultComplete: empty(),
      ExecutionProgress: msg(
        { stages: rep(1, 'StageInfo'), num_inflight_tasks: f(2, 'int64') },
        {
          StageInfo: msg({
            stage_id: f(1, 'int64'),
            num_tasks: f(2, 'int64'),
            num_completed_tasks: f(3, 'int64'),
            input_bytes_read: f(4, 'int64'),
            done: f(5, 'bool'),
          }),
        },
      ),
    },
  ),
  KeyValue: msg({ key: f(1, 'string'), value: opt(2, 'string') }),
  ConfigRequest: msg(
    { ...requestHead(8, 4), operation: f(3, 'Operation') },
    {
      Operation: withOneof('op_type', {
        set: f(1, 'Set'),
        get: f(2, 'Get'),
        get_all: f(5, 'GetAll'),
        unset: f(6, 'Unset'),
      }),
      Set: msg({ pairs: rep(1, 'KeyValue') }),
      Get: msg({ keys: rep(1, 'string') }),
      GetAll: msg({ prefix: opt(1, 'string') }),
      Unset: msg({ keys: rep(1, 'string') }),
    },
  ),
  ConfigResponse: msg({
    session_id: f(1, 'string'),
    server_side_session_id: f(4, 'string'),
    pairs: rep(2, 'KeyValue'),
    warnings: rep(3, 'string'),
  }),
  InterruptRequest: {
    ...withOneof(
      'interrupt',
      { operation_tag: f(5, 'string'), operation_id: f(6, 'string') },
      { ...requestHead(7, 3), interrupt_type: f(4, 'InterruptType') },
    ),
    nested: {
      InterruptType: {
        values: {
          INTERRUPT_TYPE_UNSPECIFIED: 0,
          INTERRUPT_TYPE_ALL: 1,
          INTERRUPT_TYPE_TAG: 2,
          INTERRUPT_TYPE_OPERATION_ID: 3,
        },
      },
    },
  },
  InterruptResponse: msg({
    session_id: f(1, 'string'),
    server_side_session_id: f(3, 'string'),
    interrupted_ids: rep(2, 'string'),
  }),
  ReattachOptions: msg({ reattachable: f(1, 'bool') }),
  ReattachExecuteRequest: msg({
    ...requestHead(6, 4),
    operation_id: f(3, 'string'),
    last_response_id: opt(5, 'string'),
  }),
  ReleaseExecuteRequest: withOneof(
    'release',
    { release_all: f(5, 'ReleaseAll'), release_until: f(6, 'ReleaseUntil') },
    { ...requestHead(7, 4), operation_id: f(3, 'string') },
    { ReleaseAll: empty(), ReleaseUntil: msg({ response_id: f(1, 'string') }) },
  ),
  ReleaseExecuteResponse: msg({
    session_id: f(1, 'string'),
    server_side_session_id: f(3, 'string'),
    operation_id: opt(2, 'string'),
  }),
  ReleaseSessionRequest: msg({
    session_id: f(1, 'string'),
    user_context: f(2, 'UserContext'),
    client_type: opt(3, 'string'),
  }),
  ReleaseSessionResponse: msg({ session_id: f(1, 'string'), server_side_session_id: f(2, 'string') }),
  FetchErrorDetailsRequest: msg({ ...requestHead(5, 4), error_id: f(3, 'string') }),
  FetchErrorDetailsResponse: msg(
    {
      server_side_session_id: f(3, 'string'),
      session_id: f(4, 'string'),
      root_error_idx: opt(1, 'int32'),
      errors: rep(2, 'Error'),
    },
    {
      QueryContext: msg(
        {
          context_type: f(10, 'ContextType'),
          object_type: f(1, 'string'),
          object_name: f(2, 'string'),
          start_index: f(3, 'int32'),
          stop_index: f(4, 'int32'),
          fragment: f(5, 'string'),
          call_site: f(6, 'string'),
          summary: f(7, 'string'),
        },
        { ContextType: { values: { SQL: 0, DATAFRAME: 1 } } },
      ),
      SparkThrowable: msg({
        error_class: opt(1, 'string'),
        message_parameters: map(2, 'string', 'string'),
        query_contexts: rep(3, 'QueryContext'),
        sql_state: opt(4, 'string'),
      }),
      Error: msg({
        error_type_hierarchy: rep(1, 'string'),
        message: f(2, 'string'),
        cause_idx: opt(4, 'int32'),
        spark_throwable: opt(5, 'SparkThrowable'),
      }),
    },
  ),
  // ---- commands.proto
  Command: withOneof('command_type', { create_dataframe_view: f(3, 'CreateDataFrameViewCommand') }),
  CreateDataFrameViewCommand: msg({
    input: f(1, 'Relation'),
    name: f(2, 'string'),
    is_global: f(3, 'bool'),
    replace: f(4, 'bool'),
  }),
  // ---- relations.proto
  Relation: withOneof(
    'rel_type',
    {
      read: f(2, 'Read'),
      project: f(3, 'Project'),
      limit: f(8, 'Limit'),
      sql: f(10, 'SQL'),
      local_relation: f(11, 'LocalRelation'),
    },
    { common: f(1, 'RelationCommon') },
  ),
  Read: withOneof(
    'read_type',
    { data_source: f(2, 'DataSource') },
    { is_streaming: f(3, 'bool') },
    {
      DataSource: msg({
        format: opt(1, 'string'),
        schema: opt(2, 'string'),
        options: map(3, 'string', 'string'),
        paths: rep(4, 'string'),
        predicates: rep(5, 'string'),
      }),
    },
  ),
  RelationCommon: msg({ plan_id: opt(2, 'int64') }),
  SQL: msg({ query: f(1, 'string') }),
  Limit: msg({ input: f(1, 'Relation'), limit: f(2, 'int32') }),
  Project: msg({ input: f(1, 'Relation'), expressions: rep(3, 'Expression') }),
  /** Rows sent by the client as one Arrow IPC stream (`data`); `schema` (DDL) optional when `data` is given. */
  LocalRelation: msg({ data: opt(1, 'bytes'), schema: opt(2, 'string') }),
  // ---- expressions.proto (only SQL expression text)
  Expression: withOneof(
    'expr_type',
    { expression_string: f(4, 'ExpressionString') },
    {},
    { ExpressionString: msg({ expression: f(1, 'string') }) },
  ),
  // ---- types.proto
  DataType: withOneof(
    'kind',
    {
      null: f(1, 'NULL'),
      binary: f(2, 'Binary'),
      boolean: f(3, 'Boolean'),
      byte: f(4, 'Byte'),
      short: f(5, 'Short'),
      integer: f(6, 'Integer'),
      long: f(7, 'Long'),
      float: f(8, 'Float'),
      double: f(9, 'Double'),
      decimal: f(10, 'Decimal'),
      string: f(11, 'String'),
      char: f(12, 'Char'),
      var_char: f(13, 'VarChar'),
      date: f(14, 'Date'),
      timestamp: f(15, 'Timestamp'),
      timestamp_ntz: f(16, 'TimestampNTZ'),
      calendar_interval: f(17, 'CalendarInterval'),
      year_month_interval: f(18, 'YearMonthInterval'),
      day_time_interval: f(19, 'DayTimeInterval'),
      array: f(20, 'Array'),
      struct: f(21, 'Struct'),
      map: f(22, 'Map'),
      udt: f(23, 'UDT'),
      unparsed: f(24, 'Unparsed'),
      variant: f(25, 'Variant'),
      time: f(28, 'Time'),
    },
    {},
    {
      NULL: dataTypeLeaf(),
      Binary: dataTypeLeaf(),
      Boolean: dataTypeLeaf(),
      Byte: dataTypeLeaf(),
      Short: dataTypeLeaf(),
      Integer: dataTypeLeaf(),
      Long: dataTypeLeaf(),
      Float: dataTypeLeaf(),
      Double: dataTypeLeaf(),
      String: msg({ type_variation_reference: f(1, 'uint32'), collation: f(2, 'string') }),
      Date: dataTypeLeaf(),
      Timestamp: dataTypeLeaf(),
      TimestampNTZ: dataTypeLeaf(),
      CalendarInterval: dataTypeLeaf(),
      Variant: dataTypeLeaf(),
      YearMonthInterval: msg({ start_field: opt(1, 'int32'), end_field: opt(2, 'int32') }),
      DayTimeInterval: msg({ start_field: opt(1, 'int32'), end_field: opt(2, 'int32') }),
      Time: msg({ precision: opt(1, 'int32') }),
      Char: msg({ length: f(1, 'int32') }),
      VarChar: msg({ length: f(1, 'int32') }),
      Decimal: msg({ scale: opt(1, 'int32'), precision: opt(2, 'int32') }),
      StructField: msg({
        name: f(1, 'string'),
        data_type: f(2, 'DataType'),
        nullable: f(3, 'bool'),
        metadata: opt(4, 'string'),
      }),
      Struct: msg({ fields: rep(1, 'StructField') }),
      Array: msg({ element_type: f(1, 'DataType'), contains_null: f(2, 'bool') }),
      Map: msg({ key_type: f(1, 'DataType'), value_type: f(2, 'DataType'), value_contains_null: f(3, 'bool') }),
      UDT: msg({ type: f(1, 'string'), jvm_class: opt(2, 'string'), sql_type: opt(5, 'DataType') }),
      Unparsed: msg({ data_type_string: f(1, 'string') }),
    },
  ),
  SparkConnectService: {
    methods: {
      ExecutePlan: { requestType: 'ExecutePlanRequest', responseType: 'ExecutePlanResponse', responseStream: true },
      AnalyzePlan: { requestType: 'AnalyzePlanRequest', responseType: 'AnalyzePlanResponse' },
      Config: { requestType: 'ConfigRequest', responseType: 'ConfigResponse' },
      Interrupt: { requestType: 'InterruptRequest', responseType: 'InterruptResponse' },
      ReattachExecute: {
        requestType: 'ReattachExecuteRequest',
        responseType: 'ExecutePlanResponse',
        responseStream: true,
      },
      ReleaseExecute: { requestType: 'ReleaseExecuteRequest', responseType: 'ReleaseExecuteResponse' },
      ReleaseSession: { requestType: 'ReleaseSessionRequest', responseType: 'ReleaseSessionResponse' },
      FetchErrorDetails: { requestType: 'FetchErrorDetailsRequest', responseType: 'FetchErrorDetailsResponse' },
    },
  },
};

/** protobufjs JSON of the Spark Connect subset (package spark.connect). */
export const SPARK_CONNECT_PROTO_JSON = { nested: { spark: { nested: { connect: { nested: connect } } } } };
