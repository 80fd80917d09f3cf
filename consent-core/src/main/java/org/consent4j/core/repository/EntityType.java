package org.consent4j.core.repository;

import com.google.common.reflect.TypeToken;
import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.consent4j.DataCategory;
import org.consent4j.SubjectId;
import org.consent4j.annotation.Personal;
import org.consent4j.annotation.Subject;

/**
 * What consent4j knows about one domain class: where its subject id is, which fields are personal
 * data of which category, and how to make a masked copy of an instance. Computed once per class
 * (a {@link ClassValue}), so a repository call never scans annotations.
 *
 * <p>A class is an <em>entity</em> when it marks a {@link Subject} or a {@link Personal} field or
 * record component, or when one of its fields holds entities (then it cannot be enforced, see
 * {@link #problem()}). An entity that cannot be enforced safely carries a problem instead of
 * failing here: the wrapper reports it at wrap time for declared types and at call time for
 * subclasses it meets at run time. Immutable and thread-safe.
 */
final class EntityType {
  private static final ClassValue<EntityType> TYPES = new ClassValue<>() {
    @Override
    protected EntityType computeValue(Class<?> type) {
      return analyse(type);
    }
  };

  /** Whether a class marks a subject or personal data itself; used to spot nested entities without recursion. */
  private static final ClassValue<Boolean> MARKS_PERSONAL_DATA = new ClassValue<>() {
    @Override
    protected Boolean computeValue(Class<?> type) {
      return marksPersonalData(type);
    }
  };

  private final Class<?> type;
  private final boolean entity;
  private final String problem;
  private final Reader subject;
  private final List<PersonalMember> personal;
  private final SortedSet<DataCategory> categories;
  private final Copier copier;
  private final Reader[] personalReaders;

  private EntityType(Class<?> type, boolean entity, String problem, Reader subject, List<PersonalMember> personal,
      Copier copier, Reader[] personalReaders) {
    this.type = type;
    this.entity = entity;
    this.problem = problem;
    this.subject = subject;
    this.personal = List.copyOf(personal);
    TreeSet<DataCategory> cats = new TreeSet<>();
    for (PersonalMember p : personal) {
      cats.add(p.category());
    }
    this.categories = Collections.unmodifiableSortedSet(cats);
    this.copier = copier;
    this.personalReaders = personalReaders;
  }

  /** The (cached) analysis of {@code type}. */
  static EntityType of(Class<?> type) {
    return TYPES.get(type);
  }

  /** True when {@code type}, its array components or its type arguments name an entity class. */
  static boolean mentionsEntity(Type type) {
    return mentionsEntity(type, new HashSet<>());
  }

  private static boolean mentionsEntity(Type type, Set<TypeVariable<?>> seen) {
    if (type instanceof Class<?> c) {
      return c.isArray() ? mentionsEntity(c.getComponentType(), seen) : MARKS_PERSONAL_DATA.get(c);
    }
    if (type instanceof ParameterizedType p) {
      if (mentionsEntity(p.getRawType(), seen)) {
        return true;
      }
      for (Type a : p.getActualTypeArguments()) {
        if (mentionsEntity(a, seen)) {
          return true;
        }
      }
      return false;
    }
    if (type instanceof GenericArrayType g) {
      return mentionsEntity(g.getGenericComponentType(), seen);
    }
    if (type instanceof WildcardType w) {
      for (Type b : w.getUpperBounds()) {
        if (mentionsEntity(b, seen)) {
          return true;
        }
      }
      for (Type b : w.getLowerBounds()) {
        if (mentionsEntity(b, seen)) {
          return true;
        }
      }
      return false;
    }
    if (type instanceof TypeVariable<?> v && seen.add(v)) {
      for (Type b : v.getBounds()) {
        if (mentionsEntity(b, seen)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * True when {@code type} could hold, at run time, an entity or another subject's personal data
   * without its declared type saying so: {@code Object}, wildcards, type variables, interfaces
   * (an entity may implement them), raw or unknown generic containers, and classes whose own
   * fields could. Used for the fields of entities, whose copies are shallow: such a field would
   * hand another subject's data out on this subject's consent.
   */
  static boolean mayHoldEntity(Type type) {
    return mayHoldEntity(type, new HashSet<>());
  }

  private static boolean mayHoldEntity(Type type, Set<Object> seen) {
    if (type instanceof Class<?> c) {
      return mayHoldEntity(c, TypeToken.of(c), seen);
    }
    if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
      if (isContainer(raw)) {
        for (Type a : p.getActualTypeArguments()) {
          if (mayHoldEntity(a, seen)) {
            return true;
          }
        }
        return false;
      }
      // Another platform generic (Supplier<String>, AtomicReference<String>) may hold anything.
      return isPlatformType(raw) || mayHoldEntity(raw, TypeToken.of(p), seen);
    }
    if (type instanceof GenericArrayType g) {
      return mayHoldEntity(g.getGenericComponentType(), seen);
    }
    // Wildcards and type variables: their bound is at most what the value is, never all it may be.
    return true;
  }

  private static boolean mayHoldEntity(Class<?> c, TypeToken<?> resolved, Set<Object> seen) {
    if (c.isArray()) {
      return mayHoldEntity(c.getComponentType(), seen);
    }
    if (c.isPrimitive() || c.isEnum() || ScalarType.of(c).isPresent()) {
      return false;
    }
    if (c.isInterface() || c == Object.class || c.getTypeParameters().length > 0 && resolved.getType() == c) {
      // An interface may be implemented by an entity; a raw generic class holds unknown objects.
      return true;
    }
    if (isPlatformType(c)) {
      // A platform class without type parameters (Date, Locale, URI) holds platform values only.
      return false;
    }
    if (MARKS_PERSONAL_DATA.get(c)) {
      return true;
    }
    if (!seen.add(resolved.getType())) {
      // Already being examined further up: its other fields decide.
      return false;
    }
    for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
      for (Field f : k.getDeclaredFields()) {
        if (!Modifier.isStatic(f.getModifiers())
            && mayHoldEntity(resolved.resolveType(f.getGenericType()).getType(), seen)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean isContainer(Class<?> raw) {
    return raw == Optional.class || (raw.getPackageName().equals("java.util")
        && (Collection.class.isAssignableFrom(raw) || Map.class.isAssignableFrom(raw)));
  }

  /**
   * True for classes generated at run time around an entity (Hibernate's lazy proxies, Byte Buddy
   * and CGLIB subclasses, JDK proxies, synthetic classes): reading or copying one may load data
   * from the database behind it, so consent4j refuses them instead of copying.
   */
  static boolean isGenerated(Class<?> c) {
    String n = c.getName();
    return c.isSynthetic() || n.contains("$HibernateProxy$") || n.contains("$ByteBuddy$") || n.contains("$$Enhancer")
        || java.lang.reflect.Proxy.isProxyClass(c);
  }

  /** The class analysed. */
  Class<?> type() {
    return type;
  }

  /** True when instances carry personal data and must be filtered. */
  boolean isEntity() {
    return entity;
  }

  /** Why this entity cannot be enforced, or {@code null} when it can. */
  String problem() {
    return problem;
  }

  /** The categories of its personal fields. */
  SortedSet<DataCategory> categories() {
    return categories;
  }

  /**
   * The subject an instance is about.
   *
   * @return {@code null} when the id is null or not a valid subject id: such an instance is
   *     withheld (fail closed)
   */
  SubjectId subjectOf(Object instance) {
    Object value;
    try {
      value = subject.read(instance);
    } catch (ReflectiveOperationException e) {
      throw failure("reading the @Subject of", e);
    }
    try {
      return SubjectValues.toSubjectId(value);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * The categories of the personal fields of {@code instance} that hold a value: what writing it
   * would store.
   */
  SortedSet<DataCategory> carriedCategories(Object instance) {
    TreeSet<DataCategory> carried = new TreeSet<>();
    for (int i = 0; i < personalReaders.length; i++) {
      Object value;
      try {
        value = personalReaders[i].read(instance);
      } catch (ReflectiveOperationException e) {
        throw failure("reading the @Personal fields of", e);
      }
      if (value != null) {
        carried.add(personal.get(i).category());
      }
    }
    return carried;
  }

  /**
   * A copy of {@code instance} in which every personal field whose category {@code keep} rejects
   * is null. The instance itself is never changed.
   */
  Object maskedCopy(Object instance, Predicate<DataCategory> keep) {
    boolean[] mask = new boolean[personal.size()];
    for (int i = 0; i < mask.length; i++) {
      mask[i] = !keep.test(personal.get(i).category());
    }
    try {
      return copier.copy(instance, mask);
    } catch (ReflectiveOperationException e) {
      throw failure("copying", e);
    }
  }

  private IllegalStateException failure(String doing, ReflectiveOperationException e) {
    // The cause is named by class only: the domain code's message may quote personal data.
    Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
    return new IllegalStateException("consent4j failed " + doing + " an instance of " + type.getName() + " ("
        + cause.getClass().getName() + ")", cause);
  }

  // ---------------------------------------------------------------- analysis

  private static EntityType plain(Class<?> type) {
    return new EntityType(type, false, null, null, List.of(), null, new Reader[0]);
  }

  private static EntityType unusable(Class<?> type, List<String> problems) {
    return new EntityType(type, true, type.getName() + " " + String.join("; ", problems), null, List.of(), null,
        new Reader[0]);
  }

  /** True for classes of the platform (java.*, javax.*, jdk.*, sun.*, com.sun.*) and primitives. */
  static boolean isPlatformType(Class<?> type) {
    String n = type.getName();
    return type.isPrimitive() || n.startsWith("java.") || n.startsWith("javax.") || n.startsWith("jdk.")
        || n.startsWith("sun.") || n.startsWith("com.sun.");
  }

  private static boolean marksPersonalData(Class<?> type) {
    if (type.isArray() || type.isInterface() || isPlatformType(type)) {
      return false;
    }
    if (type.isRecord()) {
      for (RecordComponent c : type.getRecordComponents()) {
        if (c.isAnnotationPresent(Subject.class) || c.isAnnotationPresent(Personal.class)) {
          return true;
        }
      }
      return false;
    }
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (!Modifier.isStatic(f.getModifiers())
            && (f.isAnnotationPresent(Subject.class) || f.isAnnotationPresent(Personal.class))) {
          return true;
        }
      }
    }
    return false;
  }

  private static EntityType analyse(Class<?> type) {
    if (type.isArray() || type.isInterface() || type.isEnum() || type.isAnnotation() || isPlatformType(type)) {
      return plain(type);
    }
    return type.isRecord() ? analyseRecord(type) : analyseClass(type);
  }

  private static EntityType analyseRecord(Class<?> type) {
    RecordComponent[] components = type.getRecordComponents();
    List<String> problems = new ArrayList<>();
    List<RecordComponent> subjects = new ArrayList<>();
    List<PersonalMember> personal = new ArrayList<>();
    List<String> nested = new ArrayList<>();
    List<String> open = new ArrayList<>();
    boolean marked = false;
    for (int i = 0; i < components.length; i++) {
      RecordComponent c = components[i];
      int index = i;
      boolean isSubject = c.isAnnotationPresent(Subject.class);
      Personal p = c.getAnnotation(Personal.class);
      marked |= isSubject || p != null;
      if (isSubject) {
        subjects.add(c);
        checkSubjectType(c.getName(), c.getType(), problems);
      }
      if (p != null) {
        checkPersonal(c.getName(), c.getType(), isSubject, p, problems).ifPresent(
            cat -> personal.add(new PersonalMember(c.getName(), cat, index, null)));
      }
      if (!isSubject && mentionsEntity(c.getGenericType())) {
        nested.add(c.getName());
      } else if (!isSubject && mayHoldEntity(c.getGenericType())) {
        open.add(c.getName());
      }
    }
    if (!marked && nested.isEmpty()) {
      return plain(type);
    }
    if (marked) {
      checkSubjectCount(subjects.stream().map(RecordComponent::getName).toList(), problems);
    }
    checkNested(nested, problems);
    if (marked) {
      checkOpen(open, problems);
    }
    Method[] accessors = new Method[components.length];
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      accessors[i] = components[i].getAccessor();
      types[i] = components[i].getType();
    }
    Constructor<?> canonical = null;
    try {
      canonical = type.getDeclaredConstructor(types);
    } catch (NoSuchMethodException e) {
      problems.add("has no canonical constructor");
    }
    if (canonical != null) {
      makeAccessible(canonical, problems);
    }
    for (Method a : accessors) {
      makeAccessible(a, problems);
    }
    if (!problems.isEmpty()) {
      return unusable(type, problems);
    }
    // The accessor made accessible above, not a fresh copy from the component.
    Method subjectAccessor = accessors[Arrays.asList(components).indexOf(subjects.get(0))];
    Reader[] personalReaders = personal.stream().map(m -> accessors[m.index()])
        .map(a -> (Reader) a::invoke).toArray(Reader[]::new);
    return new EntityType(type, true, null, instance -> subjectAccessor.invoke(instance), personal,
        new RecordCopier(accessors, canonical, personal), personalReaders);
  }

  private static EntityType analyseClass(Class<?> type) {
    List<String> problems = new ArrayList<>();
    List<Field> fields = new ArrayList<>();
    List<Field> subjects = new ArrayList<>();
    List<PersonalMember> personal = new ArrayList<>();
    List<String> nested = new ArrayList<>();
    List<String> open = new ArrayList<>();
    boolean marked = false;
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers())) {
          continue;
        }
        fields.add(f);
        boolean isSubject = f.isAnnotationPresent(Subject.class);
        Personal p = f.getAnnotation(Personal.class);
        marked |= isSubject || p != null;
        if (isSubject) {
          subjects.add(f);
          checkSubjectType(f.getName(), f.getType(), problems);
        }
        if (p != null) {
          checkPersonal(f.getName(), f.getType(), isSubject, p, problems).ifPresent(
              cat -> personal.add(new PersonalMember(f.getName(), cat, -1, f)));
        }
        if (!isSubject && mentionsEntity(f.getGenericType())) {
          nested.add(f.getName());
        } else if (!isSubject && mayHoldEntity(TypeToken.of(type).resolveType(f.getGenericType()).getType())) {
          open.add(f.getName());
        }
      }
    }
    if (!marked && nested.isEmpty()) {
      return plain(type);
    }
    if (marked) {
      checkSubjectCount(subjects.stream().map(Field::getName).toList(), problems);
    }
    checkNested(nested, problems);
    if (marked) {
      checkOpen(open, problems);
    }
    for (Field f : fields) {
      makeAccessible(f, problems);
    }
    Constructor<?> noArg = null;
    if (!Modifier.isAbstract(type.getModifiers())) {
      try {
        noArg = type.getDeclaredConstructor();
        makeAccessible(noArg, problems);
      } catch (NoSuchMethodException e) {
        problems.add("has no no-argument constructor, which consent4j needs to make masked copies (it may be"
            + " private" + (type.isMemberClass() && !Modifier.isStatic(type.getModifiers())
                ? "; an inner class must be static)" : ")"));
      }
    }
    if (!problems.isEmpty()) {
      return unusable(type, problems);
    }
    Field subjectField = subjects.get(0);
    // An abstract class has no copier: the instances met at run time are of concrete subclasses,
    // which are analysed (and copied) as themselves.
    Copier copier = noArg == null ? null : new FieldCopier(noArg, fields.toArray(new Field[0]), personal);
    Reader[] personalReaders = personal.stream().map(m -> (Reader) m.field()::get).toArray(Reader[]::new);
    return new EntityType(type, true, null, subjectField::get, personal, copier, personalReaders);
  }

  private static void checkSubjectType(String name, Class<?> type, List<String> problems) {
    if (!SubjectValues.isSupported(type)) {
      problems.add("has @Subject " + name + " of type " + type.getName()
          + ", but a subject id must be " + SubjectValues.SUPPORTED);
    }
  }

  private static Optional<DataCategory> checkPersonal(String name, Class<?> type, boolean isSubject,
      Personal p, List<String> problems) {
    if (isSubject) {
      problems.add("marks " + name + " both @Subject and @Personal: the subject id is what consent is checked"
          + " against and cannot be masked");
      return Optional.empty();
    }
    if (type.isPrimitive()) {
      problems.add("marks the primitive " + name + " @Personal, but a masked field reads as null: use "
          + type.getName() + "'s wrapper type");
      return Optional.empty();
    }
    try {
      return Optional.of(DataCategory.of(p.value()));
    } catch (IllegalArgumentException e) {
      problems.add("marks " + name + " @Personal with an invalid category: " + e.getMessage());
      return Optional.empty();
    }
  }

  private static void checkSubjectCount(List<String> subjects, List<String> problems) {
    if (subjects.isEmpty()) {
      problems.add("marks @Personal data but no @Subject field, so nobody's consent could cover it: mark the"
          + " subject id with @Subject");
    } else if (subjects.size() > 1) {
      problems.add("has several @Subject fields " + subjects + "; an object about several subjects is not supported:"
          + " return one object per subject");
    }
  }

  private static void checkNested(List<String> nested, List<String> problems) {
    if (!nested.isEmpty()) {
      problems.add("holds objects with personal data in " + nested + ", which consent4j cannot filter: return"
          + " those objects themselves from a repository method");
    }
  }

  private static void checkOpen(List<String> open, List<String> problems) {
    if (!open.isEmpty()) {
      problems.add("has fields " + open + " whose declared type (Object, an interface, a wildcard, a type variable,"
          + " a raw or unknown generic type, or a class holding one) could carry another subject's personal data,"
          + " and masked copies are shallow: give them a concrete type such as " + ScalarType.ALLOWED);
    }
  }

  private static void makeAccessible(AccessibleObject member, List<String> problems) {
    try {
      if (!member.trySetAccessible()) {
        problems.add("cannot be read by consent4j (" + member + "): open its package to org.consent4j.core");
      }
    } catch (SecurityException e) {
      problems.add("cannot be read by consent4j (" + member + "): " + e.getMessage());
    }
  }

  // ---------------------------------------------------------------- access and copying

  /** Reads one member; a reflective call. */
  @FunctionalInterface
  private interface Reader {
    Object read(Object instance) throws ReflectiveOperationException;
  }

  /** A personal field or record component: its category, and where it is. */
  private record PersonalMember(String name, DataCategory category, int index, Field field) {}

  /** Makes a copy with the masked personal members set to null. */
  private interface Copier {
    Object copy(Object instance, boolean[] mask) throws ReflectiveOperationException;
  }

  /** Copies a record through its canonical constructor, since record fields cannot be written. */
  private static final class RecordCopier implements Copier {
    private final Method[] accessors;
    private final Constructor<?> canonical;
    private final int[] personalIndex;

    RecordCopier(Method[] accessors, Constructor<?> canonical, List<PersonalMember> personal) {
      this.accessors = accessors.clone();
      this.canonical = canonical;
      this.personalIndex = personal.stream().mapToInt(PersonalMember::index).toArray();
    }

    @Override
    public Object copy(Object instance, boolean[] mask) throws ReflectiveOperationException {
      Object[] values = new Object[accessors.length];
      for (int i = 0; i < accessors.length; i++) {
        values[i] = accessors[i].invoke(instance);
      }
      for (int i = 0; i < personalIndex.length; i++) {
        if (mask[i]) {
          values[personalIndex[i]] = null;
        }
      }
      try {
        return canonical.newInstance(values);
      } catch (InvocationTargetException e) {
        throw new IllegalStateException(canonical.getDeclaringClass().getName() + " refused the masked copy"
            + " consent4j made of it (" + e.getCause().getClass().getName() + "): its canonical constructor must"
            + " accept null for @Personal components, which read as null when their category is not permitted",
            e.getCause());
      }
    }
  }

  /**
   * Copies an ordinary class field by field, up its hierarchy, into an instance made by its
   * no-argument constructor. The copy is shallow: referenced objects are shared.
   */
  private static final class FieldCopier implements Copier {
    private final Constructor<?> noArg;
    private final Field[] fields;
    private final Field[] personal;

    FieldCopier(Constructor<?> noArg, Field[] fields, List<PersonalMember> personal) {
      this.noArg = noArg;
      this.fields = fields.clone();
      this.personal = personal.stream().map(PersonalMember::field).toArray(Field[]::new);
    }

    @Override
    public Object copy(Object instance, boolean[] mask) throws ReflectiveOperationException {
      Object copy = noArg.newInstance();
      for (Field f : fields) {
        f.set(copy, f.get(instance));
      }
      for (int i = 0; i < personal.length; i++) {
        if (mask[i]) {
          personal[i].set(copy, null);
        }
      }
      return copy;
    }
  }
}
